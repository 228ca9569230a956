//! Shared parts of the JSON API: paging, the list envelope, 201 answers and
//! the OpenAPI document.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

/// The OpenAPI document of every route above, built once.
pub fn openapi_document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        use utoipa::OpenApi;
        use utoipa_actix_web::AppExt;
        #[derive(OpenApi)]
        #[openapi(
            info(title = "CUS API", version = "1", description = "Centrum Usług Społecznych: the single window, IPUS, contracting, community."),
            modifiers(&BearerAuth)
        )]
        struct ApiDoc;
        let (_, mut api) = actix_web::App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .service(utoipa_actix_web::scope("/api/v1").configure(crate::web::api_routes))
            .split_for_parts();
        // After the routes: these read every operation's shape. Every
        // refusal a request's shape implies (401, 400/413/415/422, 404, the
        // error body), and the text rules of every request string.
        use utoipa::Modify;
        cus_db::openapi::StandardErrors.modify(&mut api);
        cus_db::openapi::TextRules.modify(&mut api);
        OptionalBodies.modify(&mut api);
        api.to_pretty_json().expect("the OpenAPI document serializes")
    })
}

/// An optional body (`request_body = Option<T>`) is no body at all or a
/// `T`: utoipa writes it as "null or `T`", but a JSON `null` is not a body
/// the server takes (every body is an object). Kept: not required, `T`.
struct OptionalBodies;

impl utoipa::Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{Schema, Type};
        use utoipa::openapi::RefOr;
        for item in openapi.paths.paths.values_mut() {
            let ops = [item.put.as_mut(), item.post.as_mut(), item.patch.as_mut()];
            for op in ops.into_iter().flatten() {
                let Some(body) = op.request_body.as_mut() else {
                    continue;
                };
                for content in body.content.values_mut() {
                    let Some(RefOr::T(Schema::OneOf(one))) = content.schema.as_ref() else {
                        continue;
                    };
                    let is_null = |s: &RefOr<Schema>| {
                        matches!(s, RefOr::T(Schema::Object(o))
                            if o.schema_type == utoipa::openapi::schema::SchemaType::Type(Type::Null))
                    };
                    let rest: Vec<RefOr<Schema>> =
                        one.items.iter().filter(|s| !is_null(s)).cloned().collect();
                    if rest.len() == 1 && one.items.len() == 2 {
                        content.schema = rest.into_iter().next();
                    }
                }
            }
        }
    }
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn created<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Created().json(body)
}

/// One page of a paged list: the page's rows and how many match in all.
pub fn page<T: serde::Serialize>((items, total): (Vec<T>, i64)) -> HttpResponse {
    HttpResponse::Ok().json(json!({"items": items, "total": total}))
}

pub fn list<T: serde::Serialize>(items: Vec<T>) -> HttpResponse {
    let total = items.len();
    HttpResponse::Ok().json(json!({"items": items, "total": total}))
}

#[utoipa::path(responses((status = 200, description = "This document")))]
#[get("/openapi.json")]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_document())
}

/// The document's own route.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(openapi_json);
}
