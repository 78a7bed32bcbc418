//! The desktop's end-to-end tests, in one test binary (as the integration tests: each
//! extra binary in tests/ would link everything again). The real app under Xvfb, driven
//! through WebDriver; a module per area; the harness is tests/support and this crate's
//! `src/` (the WebDriver session, the app's processes, the clipboard).

#[path = "../../../support/mod.rs"]
mod support;

#[path = "../../../support/fault_proxy.rs"]
mod fault_proxy;
#[path = "../../../support/keycloak.rs"]
mod keycloak;
#[path = "../../../support/oidc.rs"]
mod oidc;
#[path = "../../../support/tray_host.rs"]
mod tray_host;

mod agate;
mod installed;
mod journeys;
mod lean_tray;
mod providers;
mod security;
mod skeleton;
mod tray_renewal;
mod wizard;
