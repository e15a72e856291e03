//! Proptest strategies shared by the faces' no-panic properties.

use proptest::prelude::*;

/// `seed` (a valid document) with a few pieces of arbitrary text inserted at arbitrary places.
pub fn mutated(seed: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec((any::<prop::sample::Index>(), "\\PC"), 0..6).prop_map(move |edits| {
        let mut text = seed.to_owned();
        for (at, piece) in edits {
            let mut i = at.index(text.len().max(1)).min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            text.insert_str(i, &piece);
        }
        text
    })
}
