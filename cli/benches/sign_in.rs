//! The app's overhead from callback to token stored, with the server's time taken out.
//!
//! Each iteration signs in for real against the local django-oauth-toolkit server: a
//! headless user approves (not timed), then the timed part runs. Two benchmarks in one
//! run: `complete_sign_in` (parse and match the callback, read the client secret from the
//! keyring, exchange the code, write tokens and state) and a bare code exchange by a
//! plain reqwest client (the server's time plus HTTP). Their difference is Latchkey's
//! overhead. Run inside `tests/support/with-keyring` (`make bench` does); writes
//! `target/bench/sign-in.md`.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use criterion::Criterion;
use latchkey_engine::Latchkey;
use latchkey_engine::Paths;
use support::{AuthServer, Cli, TestServer, User};

fn main() {
    let server = TestServer::start(&[]);
    let cli = Cli::new();
    let client = cli.add_majora(&server, "p", 36_000);
    let engine = Latchkey::with_paths(Paths::in_dir(cli.config_dir())).unwrap();
    let user = User::new();
    let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let callback = server.callback_uri();
    // The bare exchange asks for what the profile asks for (Majora's scopes).
    let scope = engine
        .start_sign_in("p", None)
        .unwrap()
        .authorize_url
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .unwrap()
        .1
        .into_owned();

    let mut c = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = c.benchmark_group("sign_in");
    group.sampling_mode(criterion::SamplingMode::Flat);
    group.bench_function("complete_sign_in", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let start = engine.start_sign_in("p", None).unwrap();
                let redirect = user.authorize(start.authorize_url.as_str(), true);
                let t = Instant::now();
                engine.complete_sign_in(&redirect, None).unwrap();
                spent += t.elapsed();
            }
            spent
        })
    });
    group.bench_function("bare_exchange", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for i in 0..iters {
                let url = reqwest::Url::parse_with_params(
                    &server.url("/o/authorize/"),
                    &[
                        ("response_type", "code"),
                        ("client_id", client.id.as_str()),
                        ("redirect_uri", callback.as_str()),
                        ("scope", scope.as_str()),
                        ("state", &format!("bare{i}")),
                    ],
                )
                .unwrap();
                let redirect = reqwest::Url::parse(&user.authorize(url.as_str(), true)).unwrap();
                let code = redirect.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
                let t = Instant::now();
                let resp = http
                    .post(server.url("/o/token/"))
                    .basic_auth(&client.id, Some(&client.secret))
                    .form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &callback)])
                    .send()
                    .unwrap();
                assert!(resp.status().is_success());
                let _ = resp.bytes().unwrap();
                spent += t.elapsed();
            }
            spent
        })
    });
    group.finish();
    c.final_summary();

    let median = |id: &str| -> f64 {
        let path = support::repo_root().join(format!("target/criterion/sign_in/{id}/new/estimates.json"));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        v["median"]["point_estimate"].as_f64().unwrap() / 1e6
    };
    let (whole, bare) = (median("complete_sign_in"), median("bare_exchange"));
    let md = format!(
        "| measure (criterion, median) | time |\n|---|---:|\n\
         | `complete_sign_in`: callback → token stored | {whole:.2} ms |\n\
         | bare code exchange (server + HTTP only) | {bare:.2} ms |\n\
         | **Latchkey's overhead** (difference) | **{:.2} ms** ({:.2}× the 20 ms target) |\n",
        whole - bare,
        (whole - bare) / 20.0
    );
    let out = support::repo_root().join("target/bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("sign-in.md"), &md).unwrap();
    print!("{md}");
}
