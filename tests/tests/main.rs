//! The integration suite: one binary (one link step), a module per area.
//! Every test starts its own server and database.

mod accounts;
mod assessment;
mod auth;
mod backup;
mod community;
mod contracting;
mod contracting_pages;
mod day;
mod domain;
mod foundation;
mod groups;
mod hardening;
mod jobs;
mod mail;
mod openapi;
mod operations;
mod pages;
mod password;
mod plans;
mod privacy;
mod schema;
mod social;
mod social_work;
mod surveys;
mod synth;
mod templates;
mod window;
mod write_path;
