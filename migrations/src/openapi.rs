//! Pieces of the OpenAPI document (`GET /api/v1/openapi.json`) that every
//! domain's input and output schemas share, so that the document says what
//! the server enforces:
//!
//! - [`CivilDate`], [`CivilDateTime`]: dates and timestamps in the years
//!   [`crate::bounds::MIN_YEAR`]..=[`crate::bounds::MAX_YEAR`] (`#[schema(value_type =
//!   CivilDate)]` on a `NaiveDate` field);
//! - [`Currency`]: the only currency, `PLN`;
//! - [`ErrorBody`]: the body of every 4xx and 5xx answer (API.md);
//! - [`Page`]: the list envelope `{"items": [...], "total": N}`;
//! - [`TextRules`]: a document modifier that adds to every string a request
//!   carries the pattern the server's control-character and "required"
//!   checks enforce ([`crate::error::control_refusal`], `Check::text`);
//! - [`StandardErrors`]: a document modifier that documents the refusals
//!   every operation of a kind can answer (401 with a token, 400/413/415/422
//!   with a JSON body, 404 with a path id, 400/422 with parameters), each with
//!   the [`ErrorBody`] schema, and gives the body to every 4xx/5xx declared
//!   without one.
//!
//! Schema-only types: nothing deserializes into them; they name shapes.

use std::collections::{BTreeMap, BTreeSet};
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::ToSchema;

/// `YYYY-MM-DD` with a year 1900 to 2200 ([`crate::bounds::check_date`]).
pub const DATE_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$";

/// A date `YYYY-MM-DD` with a year from 1900 to 2200; others answer 422.
#[derive(ToSchema)]
#[schema(
    value_type = String,
    format = Date,
    pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$"
)]
#[allow(dead_code)]
pub struct CivilDate(String);

/// An RFC 3339 timestamp (or a local `YYYY-MM-DDTHH:MM[:SS]`, taken as
/// UTC) in the years 1900 to 2200 ([`crate::bounds::parse_datetime`]).
#[derive(ToSchema)]
#[schema(
    value_type = String,
    format = DateTime,
    pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}T"
)]
#[allow(dead_code)]
pub struct CivilDateTime(String);

/// Money is in złoty: a `currency` field, when sent, says `PLN`.
#[derive(ToSchema, serde::Serialize)]
pub enum Currency {
    #[serde(rename = "PLN")]
    #[schema(rename = "PLN")]
    Pln,
}

/// The error codes of [`ErrorBody`], one per status (API.md).
#[derive(ToSchema, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: malformed JSON or query.
    BadRequest,
    /// 401: no or bad credentials.
    Unauthorized,
    /// 403: not allowed.
    Forbidden,
    /// 404: absent, or not this user's to see.
    NotFound,
    /// 405: a method no route of the path takes; see `Allow`.
    MethodNotAllowed,
    /// 409: a state conflict.
    Conflict,
    /// 409: the person is under a legal hold (an erasure waits).
    Held,
    /// 409: the person has a case or plan still open (an erasure waits).
    OpenCase,
    /// 409: processing of the person's data is restricted (GDPR art. 18).
    Restricted,
    /// 413: a body over 1 MiB.
    TooLarge,
    /// 415: a body that is not `application/json`.
    UnsupportedMediaType,
    /// 422: invalid fields, named in `fields`.
    Invalid,
    /// 429: rate limited; see `Retry-After`.
    RateLimited,
    /// 500: a server fault, with a `correlation_id`.
    Internal,
}

/// Every refusal: `{"error": CODE, "message": TEXT, "fields"?: {FIELD:
/// [TEXT, ...]}}`; `fields` on 422, `correlation_id` on a server fault.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    pub error: ErrorCode,
    /// In English, or Polish with `Accept-Language: pl`.
    pub message: String,
    /// Field name (or JSON path, e.g. `tranches[0].year`) → what is wrong.
    #[schema(required = false)]
    pub fields: Option<BTreeMap<String, Vec<String>>>,
    /// Names the server's log line of a 500.
    #[schema(required = false)]
    pub correlation_id: Option<String>,
}

/// A list: `{"items": [...], "total": N}`; `total` counts every match, of
/// which `items` is the requested page (or all, for unpaged lists).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    #[schema(minimum = 0)]
    pub total: i64,
}

/// `#[schema(schema_with = cus_db::openapi::always_true)]`: a boolean the
/// server refuses unless it is `true` (a declaration that must be made).
pub fn always_true() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .default(Some(serde_json::Value::Bool(true)))
        .build()
}

/// Documents the refusals that come from the request's shape rather than
/// from a handler's own logic (API.md, "Errors"), so that every answer the
/// server gives is in the document:
///
/// - an operation with `security`: 401 (no, unknown or expired token);
/// - with a request body (the strict JSON extractor): 400 (malformed JSON),
///   413 (over 1 MiB), 415 (not `application/json`), 422 (missing, unknown,
///   mistyped or invalid fields);
/// - with a path parameter: 404 (absent, or another municipality's);
/// - with a query parameter: 400 (a value that does not parse as its type);
/// - with any parameter: 422 (a control character in a path segment or a
///   query parameter, refused before the handler runs);
/// - 429 carries the `Retry-After` header;
/// - every 4xx and 5xx response without content gets `application/json`
///   [`ErrorBody`].
///
/// Handler-specific refusals (403 for the wrong role, 409 for a state
/// conflict, 429 for a rate limit) stay in each handler's `responses(...)`.
/// The modifier adds the `ErrorBody` schema (and its `ErrorCode`) to the
/// components.
pub struct StandardErrors;

impl utoipa::Modify for StandardErrors {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            "ErrorBody".into(),
            <ErrorBody as utoipa::PartialSchema>::schema(),
        );
        components.schemas.insert(
            "ErrorCode".into(),
            <ErrorCode as utoipa::PartialSchema>::schema(),
        );
        let body = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build()
        };
        let described = |status: &str| match status {
            "400" => "Malformed JSON or query (`bad_request`)",
            "401" => "No, unknown or expired bearer token (`unauthorized`)",
            "403" => "Not allowed for this role (`forbidden`)",
            "404" => "Absent, or not visible to this user (`not_found`)",
            "409" => "A state conflict (`conflict`)",
            "413" => "A body over 1 MiB (`too_large`)",
            "415" => "The body is not `application/json` (`unsupported_media_type`)",
            "422" => "Invalid fields or parameters, named in `fields` (`invalid`)",
            "429" => "Rate limited: try again after `Retry-After` seconds (`rate_limited`)",
            _ => "Refused",
        };
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                let mut add: Vec<&str> = Vec::new();
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add.push("401");
                }
                if op.request_body.is_some() {
                    add.extend(["400", "413", "415", "422"]);
                }
                let params = op.parameters.as_deref().unwrap_or_default();
                if params.iter().any(|p| p.parameter_in == ParameterIn::Path) {
                    add.push("404");
                }
                if params.iter().any(|p| p.parameter_in == ParameterIn::Query) {
                    // A query that does not parse as its declared types.
                    add.push("400");
                }
                if !params.is_empty() {
                    add.push("422");
                }
                for status in add {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(described(status))
                                    .build(),
                            )
                        });
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(r) = response else { continue };
                    let refusal = status.starts_with('4') || status.starts_with('5');
                    if refusal && r.content.is_empty() {
                        r.content.insert("application/json".into(), body());
                    }
                    if refusal && r.description.is_empty() {
                        r.description = described(status).to_string();
                    }
                    if status == "429" && !r.headers.contains_key("Retry-After") {
                        let seconds = utoipa::openapi::schema::Object::with_type(Type::Integer);
                        let mut h = utoipa::openapi::header::Header::new(seconds);
                        h.description = Some("Seconds until a new attempt may succeed".into());
                        r.headers.insert("Retry-After".into(), h);
                    }
                }
            }
        }
    }
}

/// `#[schema(schema_with = cus_db::openapi::optional_datetime)]`: a
/// timestamp as [`CivilDateTime`], or null, or blank text (which the
/// service takes as none).
pub fn optional_datetime() -> Schema {
    use utoipa::openapi::schema::{Object, ObjectBuilder, OneOfBuilder};
    let one_of = OneOfBuilder::new()
        .item(Object::with_type(Type::Null))
        .item(<CivilDateTime as utoipa::PartialSchema>::schema())
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!(r"^(?:[\t\n{SPACE}]|\r\n)*$"))),
        )
        .description(Some(
            "RFC 3339, or `YYYY-MM-DDTHH:MM[:SS]` taken as UTC; blank or null for none",
        ))
        .build();
    Schema::OneOf(one_of)
}

/// Control characters ([`char::is_control`]: U+0000–U+001F, U+007F–U+009F).
const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";
/// Control characters but the tab and the line feed (long text keeps them).
const CONTROL_IN_TEXT: &str = r"\u0000-\u0008\u000B-\u001F\u007F-\u009F";
/// The white space [`str::trim`] removes that is not a control character.
const SPACE: &str = r" \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The pattern of a string the server checks as a line (`multiline`
/// false: no control character at all) or as long text (tabs, line feeds
/// and CR LF allowed), `required`: something besides white space.
pub fn text_pattern(multiline: bool, required: bool) -> String {
    let (any, char_class) = if multiline {
        (
            format!(r"(?:[^{CONTROL_IN_TEXT}]|\r\n)"),
            format!("[^{CONTROL}{SPACE}]"),
        )
    } else {
        (format!("[^{CONTROL}]"), format!("[^{CONTROL}{SPACE}]"))
    };
    if required {
        format!("^{any}*{char_class}{any}*$")
    } else {
        format!("^{any}*$")
    }
}

/// Adds the server's text rules to the schemas requests carry: every
/// string of a request body gets [`text_pattern`] — a line when its
/// `maxLength` is at most [`crate::error::LINE_MAX`] (what `Check::text`
/// treats as a line), long text otherwise — unless it has a `pattern`,
/// `format` or `enum` of its own; a `minLength` of 1 or more also requires
/// something besides white space (the checks trim). Object keys, path and
/// query parameters are lines (the server refuses any control character
/// there). Response schemas are left alone: older records may hold text
/// written before the rules.
pub struct TextRules;

impl utoipa::Modify for TextRules {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut roots = BTreeSet::new();
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                if let Some(body) = op.request_body.as_mut() {
                    for content in body.content.values_mut() {
                        if let Some(schema) = content.schema.as_mut() {
                            collect_refs(schema, &mut roots);
                            apply(schema);
                        }
                    }
                }
                for p in op.parameters.iter_mut().flatten() {
                    if matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query) {
                        if let Some(schema) = p.schema.as_mut() {
                            line_parameter(schema);
                        }
                    }
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        // Every schema a request body reaches, through any depth of refs.
        let mut seen = BTreeSet::new();
        let mut todo: Vec<String> = roots.into_iter().collect();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(schema) = components.schemas.get(&name) {
                let mut refs = BTreeSet::new();
                collect_refs(schema, &mut refs);
                todo.extend(refs);
            }
        }
        for name in seen {
            if let Some(schema) = components.schemas.get_mut(&name) {
                apply(schema);
            }
        }
    }
}

fn ref_name(r: &str) -> Option<String> {
    r.strip_prefix("#/components/schemas/").map(str::to_string)
}

fn collect_refs(schema: &RefOr<Schema>, out: &mut BTreeSet<String>) {
    match schema {
        RefOr::Ref(r) => out.extend(ref_name(&r.ref_location)),
        RefOr::T(s) => match s {
            Schema::Object(o) => {
                for p in o.properties.values() {
                    collect_refs(p, out);
                }
                if let Some(utoipa::openapi::schema::AdditionalProperties::RefOr(a)) =
                    o.additional_properties.as_deref()
                {
                    collect_refs(a, out);
                }
            }
            Schema::Array(a) => {
                if let ArrayItems::RefOrSchema(i) = &a.items {
                    collect_refs(i, out);
                }
            }
            Schema::OneOf(x) => x.items.iter().for_each(|i| collect_refs(i, out)),
            Schema::AllOf(x) => x.items.iter().for_each(|i| collect_refs(i, out)),
            Schema::AnyOf(x) => x.items.iter().for_each(|i| collect_refs(i, out)),
            _ => {}
        },
    }
}

fn is_string(t: &SchemaType) -> bool {
    match t {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(ts) => ts.contains(&Type::String),
        _ => false,
    }
}

/// The text rule on the strings of one schema (not through refs: those
/// schemas are visited themselves).
fn apply(schema: &mut RefOr<Schema>) {
    let RefOr::T(s) = schema else { return };
    match s {
        Schema::Object(o) => {
            if is_string(&o.schema_type)
                && o.pattern.is_none()
                && o.format.is_none()
                && o.enum_values.is_none()
            {
                let line = o.max_length.is_some_and(|m| m <= crate::error::LINE_MAX);
                let required = o.min_length.is_some_and(|m| m >= 1);
                o.pattern = Some(text_pattern(!line, required));
            }
            for p in o.properties.values_mut() {
                apply(p);
            }
            if let Some(utoipa::openapi::schema::AdditionalProperties::RefOr(a)) =
                o.additional_properties.as_deref_mut()
            {
                apply(a);
            }
            if o.additional_properties.is_some() {
                // Keys are lines: the JSON extractor refuses any control
                // character in an object key.
                let names = o.property_names.get_or_insert_with(|| {
                    Box::new(Schema::Object(utoipa::openapi::schema::Object::with_type(
                        Type::String,
                    )))
                });
                if let Schema::Object(n) = names.as_mut() {
                    if n.pattern.is_none() {
                        n.pattern = Some(text_pattern(false, false));
                    }
                }
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(i) = &mut a.items {
                apply(i);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(apply),
        Schema::AllOf(x) => x.items.iter_mut().for_each(apply),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(apply),
        _ => {}
    }
}

fn line_parameter(schema: &mut RefOr<Schema>) {
    if let RefOr::T(Schema::Object(o)) = schema {
        if is_string(&o.schema_type)
            && o.pattern.is_none()
            && o.format.is_none()
            && o.enum_values.is_none()
        {
            o.pattern = Some(text_pattern(false, o.min_length.is_some_and(|m| m >= 1)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds;
    use utoipa::PartialSchema;

    /// The patterns are anchored and built from the classes above.
    #[test]
    fn patterns_say_what_the_checks_do() {
        let line = text_pattern(false, false);
        assert!(line.starts_with('^') && line.ends_with('$'));
        assert!(text_pattern(false, true).contains(SPACE));
        assert!(text_pattern(true, false).contains(r"\r\n"));
        assert!(DATE_PATTERN.contains("2200"));
        assert_eq!(bounds::MIN_YEAR, 1900);
        assert_eq!(bounds::MAX_YEAR, 2200);
    }

    #[test]
    fn schema_only_types_name_their_shapes() {
        let date = serde_json::to_value(CivilDate::schema()).unwrap();
        assert_eq!(date["format"], "date");
        assert_eq!(date["pattern"], DATE_PATTERN);
        let code = serde_json::to_value(ErrorCode::schema()).unwrap();
        assert!(code["enum"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("unsupported_media_type")));
        let body = serde_json::to_value(ErrorBody::schema()).unwrap();
        assert_eq!(body["required"], serde_json::json!(["error", "message"]));
        assert_eq!(
            serde_json::to_value(Currency::schema()).unwrap()["enum"],
            serde_json::json!(["PLN"])
        );
    }

    /// The refusals an operation's shape implies are documented, with the
    /// error body; a handler's own declaration is kept.
    #[test]
    fn standard_errors_follow_the_operation_shape() {
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/x/{id}": {"post": {
                "parameters": [{"name": "id", "in": "path", "required": true,
                                "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 300},
                                   "text": {"type": "string", "maxLength": 20000}}}}}},
                "responses": {"201": {"description": "made"}, "409": {"description": ""}},
                "security": [{"bearer": []}]
            }}}
        });
        let mut api: OpenApi = serde_json::from_value(doc).unwrap();
        utoipa::Modify::modify(&StandardErrors, &mut api);
        utoipa::Modify::modify(&TextRules, &mut api);
        let out = serde_json::to_value(&api).unwrap();
        let op = &out["paths"]["/x/{id}"]["post"];
        let statuses: Vec<&str> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            statuses,
            ["201", "400", "401", "404", "409", "413", "415", "422"]
        );
        assert_eq!(
            op["responses"]["409"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        assert!(op["responses"]["201"].get("content").is_none());
        assert!(out["components"]["schemas"]["ErrorBody"].is_object());
        let props = &op["requestBody"]["content"]["application/json"]["schema"]["properties"];
        assert_eq!(props["name"]["pattern"], text_pattern(false, true));
        assert_eq!(props["text"]["pattern"], text_pattern(true, false));
        assert_eq!(
            op["parameters"][0]["schema"]["pattern"],
            text_pattern(false, false)
        );
    }
}
