//! The JSON log line: `timestamp`, `level`, `message`, then the event's fields in the order it
//! gives them. Numbers and booleans stay numbers and booleans; a list field the engine writes as
//! a JSON array (`visor_core::logged::LIST_FIELDS`: a process's `args`, `pids`) is embedded as an
//! array, so a log pipeline gets `"args":["start","--home","/x"]` rather than a string.

use std::fmt;

use serde_json::Value;
use tracing::field::{Field, Visit};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Formats events as one JSON object per line.
pub(crate) struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        writer.write_str(&line(jiff::Timestamp::now(), event.metadata().level().as_str(), fields.0))?;
        writer.write_char('\n')
    }
}

/// The object for one event, keys in order (`message` first among the fields).
fn line(at: jiff::Timestamp, level: &str, mut fields: Vec<(String, Value)>) -> String {
    if let Some(i) = fields.iter().position(|(k, _)| k == "message") {
        let message = fields.remove(i);
        fields.insert(0, message);
    }
    let head = [("timestamp".to_owned(), Value::String(format!("{at:.6}"))), ("level".to_owned(), level.into())];
    let parts: Vec<String> = head.into_iter().chain(fields).map(|(k, v)| format!("{}:{v}", Value::String(k))).collect();
    format!("{{{}}}", parts.join(","))
}

struct Fields(Vec<(String, Value)>);

impl Fields {
    fn push(&mut self, field: &Field, value: Value) {
        self.0.push((field.name().to_owned(), value));
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        let value = match serde_json::from_str::<Value>(&text) {
            Ok(array @ Value::Array(_)) if visor_core::logged::LIST_FIELDS.contains(&field.name()) => array,
            _ => Value::String(text),
        };
        self.push(field, value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, Value::String(value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.push(field, Value::String(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_first_numbers_stay_numbers_and_lists_are_arrays() {
        let at: jiff::Timestamp = "2026-12-07T01:02:03.5Z".parse().unwrap();
        let fields = vec![
            ("pid".to_owned(), Value::from(7)),
            ("message".to_owned(), Value::String("started process".to_owned())),
        ];
        let text = line(at, "INFO", fields);
        assert_eq!(
            text,
            r#"{"timestamp":"2026-12-07T01:02:03.500000Z","level":"INFO","message":"started process","pid":7}"#
        );
    }
}
