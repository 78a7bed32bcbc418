//! The CLI's and engine's integration tests, in one test binary (ripgrep's layout: each
//! extra binary in tests/ would link the whole engine again). A module per area; the
//! harness is tests/support. Run under tests/support/with-keyring, so the keyring is a
//! real Secret Service; `make test-engine` runs `crash_soak` in a keyring session of its
//! own, since it kills clients mid-request hundreds of times.

#[path = "../support/mod.rs"]
mod support;

#[path = "../support/fault_proxy.rs"]
mod fault_proxy;
#[path = "../support/keycloak.rs"]
mod keycloak_server;
#[path = "../support/oidc.rs"]
mod oidc;

mod agate;
mod agent_daemon;
mod config_file;
mod crash_soak;
mod faults;
mod keycloak;
mod keyring_faults;
#[cfg(unix)] // SIGSTOP to the keyring daemon; run apart (make test-engine)
mod keyring_frozen;
mod keyring_store;
mod lab_policy;
mod lab_servers;
mod ocarina_sync;
mod oidc_provider;
mod refresh_rotation;
mod registration_device;
mod sign_in_failures;
mod sign_in_loopback;
mod sign_in_mix_up;
mod sign_in_paste;
#[cfg(unix)] // signals and Unix sockets
mod stop_safely;
mod tls_trust;
#[cfg(unix)] // the agent's Unix socket, as another user
mod token_agent;
#[cfg(unix)] // sh jobs, POSIX signals and modes
mod token_files;
mod windows;
