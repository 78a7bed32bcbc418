//! Whole-process benchmarks, side by side with a peer in the same run: oidc-agent,
//! set up against a local django-oauth-toolkit server (3.x, for its OpenID Connect).
//!
//! 1. `latchkey token NAME` (fresh token) against `oidc-token`, timed by hyperfine: first
//!    with Latchkey reading the keyring itself (no tray running), then asking a running
//!    token agent (what the tray serves).
//! 2. Idle with three signed-in profiles, two designs side by side: `latchkey-tray` (the
//!    one tray, its icon registered with a tray host on the session bus) and `latchkey
//!    agent` (no icon): memory, CPU and context switches of all their processes over
//!    60 s, beside the oidc-agent daemon over the same 60 s. (The desktop app has no tray
//!    of its own any more: it is a window beside latchkey-tray.)
//! 3. Cold start of the desktop app to an interactive main window (hyperfine), with the
//!    tray's stand-in `latchkey agent` running, as after a login.
//! 4. What token files cost the renewing process: two `latchkey agent`s renewing 6-second
//!    tokens side by side for 60 s, one keeping the token file for tools (`bt_u$UID`) and
//!    a job's file, the other none: CPU and context switches per renewal.
//!
//! Run under Xvfb inside `tests/support/with-keyring` (a real Secret Service) with
//! release binaries; `make bench` does all of that (`LATCHKEY_BENCH=token`: section 1 only;
//! `LATCHKEY_BENCH=token-file`: section 4 only). Writes Markdown tables to
//! `target/bench/`; exits non-zero only if it could not measure.

#[path = "../../tests/support/mod.rs"]
mod support;
#[path = "../../tests/support/tray_host.rs"]
mod tray_host;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{describe, AuthServer, Cli, TestServer, User};

const RUNS: &str = "300";
const WARMUP: &str = "20";

fn main() {
    let out_dir = support::repo_root().join("target/bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    // Latchkey's profiles on the Majora-flavoured server (DOT 1.4.1, as labs meet it);
    // the peer needs OpenID Connect, which DOT has only from 1.5: the generic server
    // (DOT 3.x). Neither is asked anything while a cached token is timed.
    let server = TestServer::start(&[]);
    let peer_server = TestServer::start_generic(&[("TESTSERVER_OIDC", "1")]);

    // Latchkey: a Majora-style profile, signed in, token valid for 10 h.
    let cli = Cli::new();
    cli.add_majora(&server, "bench", 36_000);
    let login = cli.login_paste("bench", &User::new());
    assert!(login.status.success(), "sign-in failed: {}", describe(&login));
    let latchkey = env!("CARGO_BIN_EXE_latchkey");
    if std::env::var("LATCHKEY_BENCH").as_deref() == Ok("token-file") {
        let md = token_file_cost(&server);
        std::fs::write(out_dir.join("token-file.md"), &md).unwrap();
        print!("{md}");
        return;
    }

    // The peer: oidc-agent with an account on the same server.
    let scratch = tempfile::tempdir().unwrap();
    let peer_env = oidc_agent(&peer_server, scratch.path());

    let hyperfine = |label: &str, commands: &[(&str, String)]| -> Vec<Timing> {
        let json = out_dir.join(format!("token-{label}.json"));
        let mut cmd = Command::new("hyperfine");
        cmd.args(["-N", "--style", "basic", "--warmup", WARMUP, "--runs", RUNS, "--export-json"]).arg(&json);
        for (name, command) in commands {
            cmd.args(["-n", name, command]);
        }
        let status = cmd.env("LATCHKEY_CONFIG_DIR", cli.config_dir()).envs(peer_env.iter().cloned()).status();
        assert!(status.expect("run hyperfine (apt install hyperfine)").success(), "hyperfine failed");
        Timing::read(&json)
    };
    let peer = ("oidc-token", "oidc-token bench".to_string());

    // Round 1: no agent, every call reads the Secret Service.
    let round1 = hyperfine(
        "keyring",
        &[
            peer.clone(),
            ("latchkey token (keyring)", format!("{latchkey} token bench")),
            ("latchkey --version (process floor)", format!("{latchkey} --version")),
        ],
    );
    profile_token(latchkey, &cli, &out_dir);
    let split = keyring_split(latchkey, &cli);
    std::fs::write(out_dir.join("token-split.md"), &split).unwrap();
    print!("{split}");
    // Round 2: a running agent (the tray's) answers.
    let agent = latchkey_engine::testing::Agent::bind(&latchkey_engine::Paths::in_dir(cli.config_dir())).unwrap();
    std::thread::spawn(move || agent.serve());
    let round2 = hyperfine("agent", &[peer, ("latchkey token (agent)", format!("{latchkey} token bench"))]);
    perf_token(&cli, &out_dir);

    let mut md = String::from(
        "| round | command | min | median | p95 | max | median ÷ oidc-token's |\n|---|---|---:|---:|---:|---:|---:|\n",
    );
    for (round, timings) in [("1: no tray", &round1), ("2: tray running", &round2)] {
        let base = timings[0].median;
        for t in timings {
            md.push_str(&format!(
                "| {round} | `{}` | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2}× |\n",
                t.name,
                t.min,
                t.median,
                t.p95,
                t.max,
                t.median / base
            ));
        }
    }
    std::fs::write(out_dir.join("token.md"), &md).unwrap();
    print!("{md}");
    // `LATCHKEY_BENCH=token`: this section only (to compare builds quickly).
    if std::env::var("LATCHKEY_BENCH").as_deref() == Ok("token") {
        return;
    }

    // Two designs, each with three signed-in profiles (1 h tokens: next renewal in
    // ~45 min): latchkey-tray and the headless `latchkey agent`; a third store for the
    // cold start.
    let desktop = support::repo_root().join("target/release/latchkey-desktop");
    assert!(desktop.exists(), "build the release desktop app first (make bench does)");
    let stores = [Cli::new(), Cli::new(), Cli::new()];
    for store in &stores {
        for name in ["one", "two", "three"] {
            store.add_majora(&server, name, 3600);
            let login = store.login_paste(name, &User::new());
            assert!(login.status.success(), "sign-in failed: {}", describe(&login));
        }
    }
    let oidcd: u32 = peer_env.iter().find(|(k, _)| k == "OIDCD_PID").expect("OIDCD_PID").1.parse().unwrap();
    let md = idle(&desktop, latchkey, &stores, oidcd);
    std::fs::write(out_dir.join("idle.md"), &md).unwrap();
    print!("{md}");

    let app_store = &stores[0];
    let mut agent = Command::new(latchkey)
        .args(["agent", "--no-notify"])
        .env("LATCHKEY_CONFIG_DIR", app_store.config_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start latchkey agent");
    while !latchkey_engine::agent_running(&latchkey_engine::Paths::in_dir(app_store.config_dir())) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let md = cold_start(&desktop, app_store, &out_dir);
    let _ = agent.kill();
    let _ = agent.wait();
    std::fs::write(out_dir.join("cold-start.md"), &md).unwrap();
    print!("{md}");
    let _ = Command::new("kill").arg(oidcd.to_string()).status();

    let md = token_file_cost(&server);
    std::fs::write(out_dir.join("token-file.md"), &md).unwrap();
    print!("{md}");
}

const RENEWING_SECONDS: u64 = 60;

/// Two `latchkey agent`s renewing 6-second tokens (every ~4.5 s) over the same 60 s: one
/// keeping the token file for tools and one job's file (this process's, so it stays
/// alive), the other keeping none. CPU and context switches per renewal, and their ratio.
fn token_file_cost(server: &TestServer) -> String {
    let run = |files: bool| {
        let runtime = tempfile::tempdir().unwrap();
        let store = Cli::new().with_env("XDG_RUNTIME_DIR", runtime.path().display().to_string());
        let client = store.add_majora(server, "job", 6);
        let login = store.login_paste("job", &User::new());
        assert!(login.status.success(), "sign-in failed: {}", describe(&login));
        if files {
            store.ok(&["settings", "--token-file-profile", "job"], "");
        }
        (runtime, store, client)
    };
    let (runtime_files, with_files, client_files) = run(true);
    let (_runtime_none, without, client_none) = run(false);
    // A job's file, owned by this process (alive for the whole run).
    std::env::set_var("XDG_RUNTIME_DIR", runtime_files.path());
    let engine =
        latchkey_engine::Latchkey::with_paths(latchkey_engine::Paths::in_dir(with_files.config_dir())).unwrap();
    let token = engine.token("job", None).unwrap().0;
    let job = engine.job_token_file("job", &token.access_token).unwrap();
    let spawn = |store: &Cli| {
        let mut c = store.command();
        c.args(["agent", "--no-notify"]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        c.spawn().expect("start latchkey agent")
    };
    let mut agents = [spawn(&with_files), spawn(&without)];
    std::thread::sleep(std::time::Duration::from_secs(5));
    let clients = [&client_files, &client_none];
    let before: Vec<(Usage, u64)> = agents
        .iter()
        .zip(clients)
        .map(|(a, c)| (Usage::of_tree(a.id()), server.grant_count(&c.id, "refresh_token")))
        .collect();
    std::thread::sleep(std::time::Duration::from_secs(RENEWING_SECONDS));
    let after: Vec<(Usage, u64)> = agents
        .iter()
        .zip(clients)
        .map(|(a, c)| (Usage::of_tree(a.id()), server.grant_count(&c.id, "refresh_token")))
        .collect();
    let kept = std::fs::read_to_string(job.path()).unwrap();
    for agent in &mut agents {
        assert!(agent.try_wait().unwrap().is_none(), "an agent died while renewing");
        let _ = agent.kill();
        let _ = agent.wait();
    }
    let stored = with_files.stored_tokens("job").unwrap();
    assert_eq!(kept, stored.access_token.expose(), "the job's file did not follow the renewals");

    let per_renewal = |i: usize| {
        let ((b, rb), (a, ra)) = (&before[i], &after[i]);
        let renewals = (ra - rb).max(1);
        let cpu_ms = (a.cpu_ticks - b.cpu_ticks) as f64 * 1000.0 / ticks_per_second() as f64 / renewals as f64;
        let switches = (a.switches - b.switches) as f64 / renewals as f64;
        (renewals, cpu_ms, switches)
    };
    let (files, none) = (per_renewal(0), per_renewal(1));
    let mut md = format!(
        "| `latchkey agent`, one profile, 6 s tokens, {RENEWING_SECONDS} s | renewals | CPU per renewal | context switches per renewal |\n|---|---:|---:|---:|\n"
    );
    for (name, (n, cpu, sw)) in [("keeping `bt_u$UID` and one job's file", files), ("keeping no file", none)] {
        md.push_str(&format!("| {name} | {n} | {cpu:.1} ms | {sw:.1} |\n"));
    }
    md.push_str(&format!(
        "| **ratio, files ÷ none** | | **{:.2}×** | **{:.2}×** |\n",
        files.1 / none.1.max(0.001),
        files.2 / none.2.max(0.001)
    ));
    drop(job);
    md
}

const IDLE_SECONDS: u64 = 60;

/// Start both designs, let them settle, then watch them and the peer over the same 60 s.
fn idle(desktop: &Path, latchkey: &str, stores: &[Cli; 3], peer: u32) -> String {
    let spawn = |program: &Path, args: &[&str], store: &Cli| {
        Command::new(program)
            .args(args)
            .env("LATCHKEY_CONFIG_DIR", store.config_dir())
            .env("NO_AT_BRIDGE", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start a Latchkey process")
    };
    let lean_tray = desktop.with_file_name("latchkey-tray");
    assert!(lean_tray.exists(), "build latchkey-tray first (make bench does)");
    let host = tray_host::TrayHost::start(&std::env::var("DBUS_SESSION_BUS_ADDRESS").expect("a session bus"));
    let mut lean = spawn(Path::new(latchkey), &["agent", "--no-notify"], &stores[1]);
    let mut lean_tray = spawn(&lean_tray, &[], &stores[2]);
    let started = std::time::Instant::now();
    for (store, log) in [(&stores[2], "latchkey-tray.log")] {
        let log = store.config_dir().join("state/logs").join(log);
        while !std::fs::read_to_string(&log).unwrap_or_default().contains("renewal loop started") {
            assert!(started.elapsed().as_secs() < 30, "{} did not start", log.display());
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    while host.item().is_none() {
        assert!(started.elapsed().as_secs() < 30, "latchkey-tray's icon never registered");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_secs(5));
    let pids = [lean_tray.id(), lean.id(), peer];
    let before: Vec<Usage> = pids.iter().map(|p| Usage::of_tree(*p)).collect();
    std::thread::sleep(std::time::Duration::from_secs(IDLE_SECONDS));
    let after: Vec<Usage> = pids.iter().map(|p| Usage::of_tree(*p)).collect();
    for child in [&mut lean_tray, &mut lean] {
        assert!(child.try_wait().unwrap().is_none(), "a Latchkey process died while idle");
        let _ = child.kill();
        let _ = child.wait();
    }

    let mut md = format!(
        "| process (with all its child processes) | processes | RSS | PSS | CPU over {IDLE_SECONDS} s | context switches / min | RSS ÷ target (40 MB) |\n|---|---:|---:|---:|---:|---:|---:|\n"
    );
    let names = [
        "`latchkey-tray` (the tray: icon and menu over D-Bus, no GTK/WebKit), 3 profiles",
        "`latchkey agent` (headless, no icon), 3 profiles",
        "peer: `oidc-agent`, 1 account",
    ];
    for (i, name) in names.iter().enumerate() {
        let (b, a) = (&before[i], &after[i]);
        let cpu = (a.cpu_ticks - b.cpu_ticks) as f64 / ticks_per_second() as f64;
        let switches = (a.switches - b.switches) as f64 * 60.0 / IDLE_SECONDS as f64;
        let rss = a.rss_kb as f64 / 1024.0;
        md.push_str(&format!(
            "| {name} | {} | {rss:.1} MB | {:.1} MB | {cpu:.2} s ({:.2} %) | {switches:.0} | {:.2} |\n",
            a.processes,
            a.pss_kb as f64 / 1024.0,
            100.0 * cpu / IDLE_SECONDS as f64,
            rss / 40.0
        ));
    }
    md
}

/// Cold start to an interactive main window: the app exits when the window's first
/// data is shown (`LATCHKEY_EXIT_WHEN_READY`), so hyperfine times the whole way.
fn cold_start(desktop: &Path, store: &Cli, out_dir: &Path) -> String {
    let json = out_dir.join("cold-start.json");
    let status = Command::new("hyperfine")
        .args(["-N", "--style", "basic", "--warmup", "2", "--runs", "15", "--export-json"])
        .arg(&json)
        .args(["-n", "latchkey-desktop to interactive window"])
        .arg(desktop)
        .env("LATCHKEY_CONFIG_DIR", store.config_dir())
        .env("LATCHKEY_EXIT_WHEN_READY", "1")
        .env("NO_AT_BRIDGE", "1")
        .status()
        .expect("run hyperfine");
    assert!(status.success(), "hyperfine failed");
    let t = &Timing::read(&json)[0];
    // The app's own figure (process start to first data shown), from its log.
    let log = std::fs::read_to_string(store.config_dir().join("state/logs/latchkey-desktop.log")).unwrap_or_default();
    let mut inside: Vec<u64> = log
        .lines()
        .filter(|l| l.contains("main window interactive"))
        .filter_map(|l| l.split("ms=").nth(1)?.split_whitespace().next()?.parse().ok())
        .collect();
    inside.sort_unstable();
    let inside = inside.get(inside.len() / 2).map(|ms| format!("{ms} ms")).unwrap_or_else(|| "?".into());
    format!(
        "| measure | min | median | p95 | max | median ÷ target (1 s) |\n|---|---:|---:|---:|---:|---:|\n\
         | launch → interactive → exit (hyperfine, warm page cache) | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} |\n\
         | in-app: process start → first data shown (log, median) | | {inside} | | | |\n",
        t.min, t.median, t.p95, t.max, t.median / 1000.0
    )
}

/// Resource use of a process and all its descendants, from /proc.
struct Usage {
    processes: usize,
    rss_kb: u64,
    pss_kb: u64,
    cpu_ticks: u64,
    switches: u64,
}

impl Usage {
    fn of_tree(root: u32) -> Usage {
        let mut parents = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            if let Some(ppid) = stat_fields(pid).and_then(|f| f.get(1).and_then(|p| p.parse::<u32>().ok())) {
                parents.push((pid, ppid));
            }
        }
        let mut tree = vec![root];
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            tree.extend(parents.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
            i += 1;
        }
        let mut usage = Usage { processes: 0, rss_kb: 0, pss_kb: 0, cpu_ticks: 0, switches: 0 };
        for pid in tree {
            let Some(fields) = stat_fields(pid) else { continue };
            usage.processes += 1;
            // utime and stime: fields 14 and 15 of /proc/PID/stat (12, 13 after the name).
            usage.cpu_ticks += fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            usage.rss_kb += kb(&status, "VmRSS:");
            usage.pss_kb +=
                kb(&std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default(), "Pss:");
            for task in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
                let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
                usage.switches += kb(&status, "voluntary_ctxt_switches:") + kb(&status, "nonvoluntary_ctxt_switches:");
            }
        }
        usage
    }
}

/// The fields of /proc/PID/stat after the command name (state is [0], ppid [1]).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// The number after `key` on its line (kB figures and counters in /proc status files).
fn kb(text: &str, key: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l[key.len()..].split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Clock ticks per second of /proc's CPU times (this benchmark reads /proc: Linux).
#[cfg(unix)]
#[allow(unsafe_code)] // sysconf reads a constant
fn ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a system value.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).max(1) as u64
}

#[cfg(not(unix))]
fn ticks_per_second() -> u64 {
    100
}

/// The release build with symbols (`cargo build --profile profiling`), for profiles.
fn symbolized() -> Option<PathBuf> {
    Some(support::repo_root().join("target/profiling/latchkey")).filter(|p| p.exists())
}

/// Where the agent path spends its time: 500 `latchkey token` under `perf record`,
/// by shared object and symbol, to `target/bench/token-agent-profile.txt`.
fn perf_token(cli: &Cli, out_dir: &Path) {
    let Some(bin) = symbolized() else { return eprintln!("perf profile skipped (no target/profiling/latchkey)") };
    let data = out_dir.join("token-agent.perf");
    let script = format!("for i in $(seq 500); do {} token bench >/dev/null; done", bin.display());
    let recorded = Command::new("perf")
        .args(["record", "-q", "-F", "20000", "-g", "-o"])
        .arg(&data)
        .args(["--", "sh", "-c", &script])
        .env("LATCHKEY_CONFIG_DIR", cli.config_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if !matches!(recorded, Ok(s) if s.success()) {
        return eprintln!("perf profile skipped (perf missing or not permitted)");
    }
    let report = Command::new("perf")
        .args(["report", "--comm", "latchkey", "--no-children", "-g", "none", "--sort", "dso,sym", "--stdio", "-i"])
        .arg(&data)
        .output();
    if let Ok(out) = report {
        let text: String = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| {
                !l.starts_with('#')
                    && !l.trim().is_empty()
                    && !l.trim_start().starts_with('|')
                    && !l.trim_start().starts_with('-')
            })
            .take(60)
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(out_dir.join("token-agent-profile.txt"), text).unwrap();
    }
}

/// Where a keyring read's wall time goes, over 200 `latchkey token` calls: the CPU of the
/// calls themselves (this process's cutime and cstime), the keyring daemon's CPU over the same calls (its
/// /proc stat; `tests/support/with-keyring` writes its pid), and the rest — the session
/// bus relaying each message, and waiting.
fn keyring_split(latchkey: &str, cli: &Cli) -> String {
    const CALLS: u32 = 200;
    // The daemon as it runs now (with-keyring restarts one that dies and names it anew).
    let daemon = || -> Option<u32> {
        let home = std::env::var_os("LATCHKEY_KEYRING_HOME")?;
        std::fs::read_to_string(Path::new(&home).join("daemon.pid")).ok()?.trim().parse().ok()
    };
    let daemon_ticks = |pid: Option<u32>| -> Option<u64> {
        let f = stat_fields(pid?)?;
        Some(f[11].parse::<u64>().ok()? + f[12].parse::<u64>().ok()?)
    };
    // The waited-for children's CPU (cutime + cstime of this process).
    let children = || {
        stat_fields(std::process::id()).map_or(0.0, |f| {
            (f[13].parse::<u64>().unwrap_or(0) + f[14].parse::<u64>().unwrap_or(0)) as f64 / ticks_per_second() as f64
        })
    };
    let pid = daemon();
    let (ticks0, cpu0, started) = (daemon_ticks(pid), children(), std::time::Instant::now());
    for _ in 0..CALLS {
        let out = Command::new(latchkey).args(["token", "bench"]).env("LATCHKEY_CONFIG_DIR", cli.config_dir()).output();
        assert!(out.is_ok_and(|o| o.status.success()), "latchkey token failed");
    }
    let per_call = |total: f64| total * 1e3 / f64::from(CALLS);
    let wall = per_call(started.elapsed().as_secs_f64());
    let own = per_call(children() - cpu0);
    // Measured only if the same daemon served every call.
    let keyring = match (ticks0, daemon_ticks(pid), daemon() == pid) {
        (Some(t0), Some(t1), true) => Some(per_call((t1 - t0) as f64 / ticks_per_second() as f64)),
        _ => None,
    };
    let shown = |v: Option<f64>| v.map_or("not measured (the daemon restarted)".to_string(), |v| format!("{v:.2}"));
    format!(
        "| per `latchkey token` (keyring path, {CALLS} calls) | ms |\n|---|---:|\n\
         | wall time | {wall:.2} |\n| CPU of `latchkey` itself | {own:.2} |\n\
         | CPU of gnome-keyring-daemon | {} |\n\
         | the rest (the session bus relaying, waiting) | {} |\n",
        shown(keyring),
        shown(keyring.map(|k| (wall - own - k).max(0.0)))
    )
}

/// Where the keyring path spends its time: one `latchkey token` under callgrind
/// (instruction counts, inclusive), the top entries to `target/bench/token-profile.txt`.
fn profile_token(latchkey: &str, cli: &Cli, out_dir: &Path) {
    let symbols = symbolized();
    let latchkey = symbols.as_deref().and_then(Path::to_str).unwrap_or(latchkey);
    let data = out_dir.join("token.callgrind");
    let ran = Command::new("valgrind")
        .args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", data.display()))
        .args([latchkey, "token", "bench"])
        .env("LATCHKEY_CONFIG_DIR", cli.config_dir())
        .env("LATCHKEY_KEYRING_TIMEOUT_MS", "60000")
        .stdout(std::process::Stdio::null())
        .status();
    if !matches!(ran, Ok(s) if s.success()) {
        eprintln!("callgrind profile skipped (valgrind missing or failed)");
        return;
    }
    if let Ok(out) = Command::new("callgrind_annotate").args(["--inclusive=yes"]).arg(&data).output() {
        let text = String::from_utf8_lossy(&out.stdout);
        let top: String = text.lines().take(60).map(|l| format!("{l}\n")).collect();
        std::fs::write(out_dir.join("token-profile.txt"), top).unwrap();
    }
}

/// Set up oidc-agent against `server` (scripts/bench/oidc-agent-setup.sh) and return
/// the environment `oidc-token` needs. Its account starts from a refresh token of a
/// real sign-in (as `oidc-gen --rt` allows), with a 10 h access token like Latchkey's.
fn oidc_agent(server: &TestServer, scratch: &Path) -> Vec<(String, String)> {
    let http = reqwest::blocking::Client::new();
    let callback = server.callback_uri();
    let app: serde_json::Value = http
        .post(server.url("/test/apps/"))
        .json(&serde_json::json!({"name": "oidc-agent peer [ttl=36000]", "redirect_uris": [callback], "algorithm": "RS256"}))
        .send()
        .and_then(|r| r.json())
        .expect("create the peer's client");
    let (id, secret) = (app["client_id"].as_str().unwrap(), app["client_secret"].as_str().unwrap());
    let authorize = reqwest::Url::parse_with_params(
        &server.url("/o/authorize/"),
        &[
            ("response_type", "code"),
            ("client_id", id),
            ("redirect_uri", callback.as_str()),
            ("scope", "openid offline_access read write"),
            ("state", "peer"),
        ],
    )
    .unwrap();
    let redirect = reqwest::Url::parse(&User::new().authorize(authorize.as_str(), true)).unwrap();
    let code = redirect.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
    let tokens: serde_json::Value = http
        .post(server.url("/o/token/"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", callback.as_str())])
        .send()
        .and_then(|r| r.json())
        .expect("exchange the peer's code");
    let script: PathBuf = support::repo_root().join("scripts/bench/oidc-agent-setup.sh");
    let out = Command::new(script)
        .env("ISSUER", server.url("/o"))
        .env("CLIENT_ID", id)
        .env("CLIENT_SECRET", secret)
        .env("REFRESH_TOKEN", tokens["refresh_token"].as_str().expect("a refresh token"))
        .env("SCRATCH", scratch)
        .output()
        .expect("run scripts/bench/oidc-agent-setup.sh (apt install oidc-agent-cli)");
    assert!(out.status.success(), "oidc-agent setup failed: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct Timing {
    name: String,
    min: f64,
    median: f64,
    p95: f64,
    max: f64,
}

impl Timing {
    /// Read hyperfine's JSON export; figures in milliseconds.
    fn read(path: &Path) -> Vec<Timing> {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut times: Vec<f64> =
                    r["times"].as_array().unwrap().iter().map(|t| t.as_f64().unwrap() * 1e3).collect();
                times.sort_by(f64::total_cmp);
                let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
                Timing {
                    name: r["command"].as_str().unwrap().to_string(),
                    min: times[0],
                    median: at(0.5),
                    p95: at(0.95),
                    max: *times.last().unwrap(),
                }
            })
            .collect()
    }
}
