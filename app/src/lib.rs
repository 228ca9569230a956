//! CUS: the single window and IPUS (the domain modules `window` and
//! `plans`), the web and API faces of the whole platform (`web`), and the
//! process around them (`platform`: configuration, accounts, mail, jobs,
//! demo data, backups).
//!
//! Domain modules never import `web`; `web` composes the domain crates
//! (`contracting`, `community`) and these modules into one route table.

pub mod assessment;
pub mod dashboard;
pub mod plans;
pub mod platform;
pub mod privacy;
pub mod search;
pub mod social;
pub mod social_work;
pub mod web;
pub mod window;

pub use platform::open;
pub use web::{serve, serve_with};
