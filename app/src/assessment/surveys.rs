//! Recipient surveys (badanie satysfakcji odbiorców): short questionnaires
//! for a service or an agreement, answered anonymously through one-time
//! codes. Nothing stored links a response to the person or to the code.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const QUESTION_KINDS: [&str; 3] = ["likert", "choice", "text"];

/// One question of a survey (stored as JSON on the survey).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// `[a-z0-9_]{1,40}`, unique in the survey.
    pub key: String,
    pub text: String,
    /// `likert` (1-5), `choice` (one of `options`) or `text`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// A Likert question counted in `recipient_satisfaction`.
    #[serde(default)]
    pub satisfaction: bool,
}

/// The keys of a survey's Likert questions marked `satisfaction`
/// (`question: None`), or of the Likert question keyed `question`.
pub fn likert_keys(questions_json: &str, question: Option<&str>) -> Vec<String> {
    let questions: Vec<Question> = serde_json::from_str(questions_json).unwrap_or_default();
    questions
        .into_iter()
        .filter(|q| q.kind == "likert")
        .filter(|q| match question {
            None => q.satisfaction,
            Some(k) => q.key == k,
        })
        .map(|q| q.key)
        .collect()
}
