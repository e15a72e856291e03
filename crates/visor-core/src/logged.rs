//! How values that are not plain text or numbers appear in log fields. A list is written as a
//! JSON array (`args=["start","--home","/x"]`): readable in text, and the faces' JSON log
//! embeds it as an array rather than a string (the fields named in [`LIST_FIELDS`]).

use std::fmt;

/// Log fields whose value is a list written by [`List`].
pub const LIST_FIELDS: &[&str] = &["args", "pids"];

/// A list, as a JSON array of its items' text.
pub struct List<'a, T>(pub &'a [T]);

/// An item of a logged list, as text (arguments need not be UTF-8: shown lossily).
pub trait Item {
    /// The item's text.
    fn text(&self) -> String;
}

impl Item for std::ffi::OsString {
    fn text(&self) -> String {
        self.to_string_lossy().into_owned()
    }
}

macro_rules! displayed {
    ($($t:ty),*) => { $(impl Item for $t { fn text(&self) -> String { self.to_string() } })* };
}
displayed!(String, &str, i32, u32, u64);

impl<T: Item> fmt::Display for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.0.iter().map(Item::text).collect();
        // Strings always serialise.
        f.write_str(&serde_json::to_string(&items).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::List;

    #[test]
    fn a_list_is_a_json_array_of_its_items_text() {
        let args = ["start".to_owned(), "--home".to_owned(), "/a \"b\"".to_owned()];
        assert_eq!(List(&args).to_string(), r#"["start","--home","/a \"b\""]"#);
        assert_eq!(List(&[1, 2]).to_string(), r#"["1","2"]"#);
        assert_eq!(List::<u32>(&[]).to_string(), "[]");
    }
}
