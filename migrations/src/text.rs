//! The words a domain function writes for people (the sentence under a
//! figure, a column's heading), by message key: the domain names the key and
//! its arguments, the caller's translator (the platform's Fluent bundles)
//! says it in the reader's language. Domain code never reaches up for them.

/// A message's argument.
#[derive(Debug, Clone)]
pub enum Arg {
    Number(f64),
    Text(String),
}

/// Says a message key in one language.
pub trait Translate {
    /// The language, as `pl` or `en`.
    fn lang(&self) -> &str;
    /// The message `key` with its arguments; the key itself when unknown.
    fn say(&self, key: &str, args: &[(&str, Arg)]) -> String;
    /// The message `key` without arguments.
    fn t(&self, key: &str) -> String {
        self.say(key, &[])
    }
}
