//! What needs a user now: the items of a worker's home page
//! (`GET /api/v1/me/dashboard`). Each domain says what is due in its own
//! records, by message key; the platform gathers them for the user's role,
//! translates the titles and puts the most urgent first.

use chrono::NaiveDate;

use crate::text::{Arg, Translate};

crate::text_enum! {
    /// How urgent an item is; declared most urgent first, so the derived
    /// order is the home page's.
    pub enum Severity {
        Overdue = "overdue",
        DueSoon = "due_soon",
        Info = "info",
    }
}

impl Severity {
    /// Past `due` → overdue; within `window` days of it → due soon; else info.
    pub fn by_due(due: NaiveDate, today: NaiveDate, window: i64) -> Severity {
        if due < today {
            Severity::Overdue
        } else if (due - today).num_days() <= window {
            Severity::DueSoon
        } else {
            Severity::Info
        }
    }
}

/// Days before a due date from which an item counts as due soon.
pub const SOON_DAYS: i64 = 7;

/// One thing to do, as a domain states it.
#[derive(Debug, Clone)]
pub struct Todo {
    /// What kind of thing it is (`plan_deadline`, `report_overdue`, …): a
    /// stable code clients may filter on.
    pub kind: &'static str,
    pub severity: Severity,
    /// The message key of its title and the title's arguments.
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
    pub due: Option<NaiveDate>,
    /// The page of the record.
    pub link: String,
}

impl Todo {
    pub fn new(kind: &'static str, severity: Severity, link: String) -> Todo {
        Todo {
            kind,
            severity,
            key: kind,
            args: Vec::new(),
            due: None,
            link,
        }
    }

    /// A consultation ending on `until` (within the week: due soon).
    pub fn consultation(link: String, title: String, until: NaiveDate) -> Todo {
        Todo::new("consultation_ends", Severity::DueSoon, link)
            .due(until)
            .arg("title", title)
    }

    /// A program before the council for adoption.
    pub fn to_adopt(link: String, title: String) -> Todo {
        Todo::new("program_to_adopt", Severity::Info, link).arg("title", title)
    }

    /// The title's message key, when it is not `todo-` followed by the kind.
    pub fn key(mut self, key: &'static str) -> Todo {
        self.key = key;
        self
    }

    pub fn due(mut self, due: NaiveDate) -> Todo {
        self.due = Some(due);
        self
    }

    /// A text argument of the title (a case number, an organization's name).
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Todo {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    pub fn count(mut self, name: &'static str, value: i64) -> Todo {
        self.args.push((name, Arg::Number(value as f64)));
        self
    }

    /// The item in the reader's language.
    pub fn say(&self, t: &dyn Translate) -> Item {
        let key = if self.key == self.kind {
            format!("todo-{}", self.kind.replace('_', "-"))
        } else {
            self.key.to_string()
        };
        Item {
            kind: self.kind.to_string(),
            severity: self.severity,
            title: t.say(&key, &self.args),
            due: self.due,
            link: self.link.clone(),
        }
    }
}

/// One item of the home page, as the API writes it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Item {
    pub kind: String,
    pub severity: Severity,
    pub title: String,
    #[schema(value_type = Option<crate::openapi::CivilDate>)]
    pub due: Option<NaiveDate>,
    pub link: String,
}

/// Most urgent first: by severity, then by `due` (undated last), then title.
pub fn sort(items: &mut [Item]) {
    items.sort_by(|a, b| {
        (a.severity, a.due.is_none(), a.due, &a.title).cmp(&(
            b.severity,
            b.due.is_none(),
            b.due,
            &b.title,
        ))
    });
}

crate::text_enum! {
    /// A work list's filter on due dates (`?due=`): past due, or due within
    /// the coming week.
    pub enum Due {
        Overdue = "overdue",
        Week = "week",
    }
}

/// A value of a work list's query string: blank is none (a form's empty
/// choice), anything else must be one of `T`'s, refused on `field`.
pub fn choice<T: crate::TextEnum>(
    value: &Option<String>,
    field: &str,
) -> crate::DomainResult<Option<T>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => T::parse_field(v, field, "error-choice").map(Some),
    }
}
