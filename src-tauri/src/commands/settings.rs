use latchkey_ipc::models::{About, FixedSettings, SettingsView};

use latchkey_ipc::commands::args::{SetRenewAt, SetStartAtLogin, SetTokenFileProfile};

use crate::commands::Ctx;
use crate::error::{IpcError, IpcResult};

pub async fn get_settings(cx: &Ctx<'_>) -> IpcResult<SettingsView> {
    let state = cx.state;
    let (renew_at, (policy, problem), token_file_profile, token_file) = state
        .run(|e| {
            let profile = e.config()?.settings().token_file_profile.clone();
            Ok((e.renew_at_percent()?, e.lab_policy(), profile, e.default_token_file()))
        })
        .await?;
    let paths = &state.paths;
    Ok(SettingsView {
        renew_at_percent: renew_at.unwrap_or((latchkey_engine::DEFAULT_FRACTION * 100.0) as u8),
        start_at_login: crate::start_at_login::is_enabled(),
        config_dir: paths.config_dir().display().to_string(),
        log_dir: paths.log_dir().display().to_string(),
        fixed: FixedSettings::from(&policy),
        policy_problem: problem.map(|p| latchkey_ipc::words::app::policy_not_applied(&p.to_string())),
        token_file: token_file.map(|p| p.display().to_string()),
        token_file_profile,
    })
}

pub async fn set_token_file_profile(cx: &Ctx<'_>, args: SetTokenFileProfile) -> IpcResult<()> {
    let SetTokenFileProfile { profile } = args;
    cx.state.run(move |e| e.set_token_file_profile(profile.as_deref())).await
}

pub async fn set_renew_at(cx: &Ctx<'_>, args: SetRenewAt) -> IpcResult<()> {
    let state = cx.state;
    let SetRenewAt { percent } = args;
    state.run(move |e| e.set_renew_at_percent(percent)).await
}

pub async fn set_start_at_login(cx: &Ctx<'_>, args: SetStartAtLogin) -> IpcResult<()> {
    let (policy, _) = cx.state.run(|e| Ok(e.lab_policy())).await?;
    if policy.start_at_login.is_some() {
        return Err(latchkey_engine::Error::SetByOrganisation {
            setting: "start-at-login".into(),
            why: policy.why_fixed(),
        }
        .into());
    }
    crate::start_at_login::set(args.enabled)
        .map_err(|e| IpcError::internal(latchkey_ipc::words::app::cannot_change_start_at_login(&e.to_string())))?;
    Ok(())
}

pub async fn about(_: &Ctx<'_>) -> IpcResult<About> {
    Ok(this_app())
}

fn this_app() -> About {
    About {
        version: env!("CARGO_PKG_VERSION"),
        tauri: tauri::VERSION,
        webkit: webkit_version(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

/// A report to paste into a bug report: versions, paths, what is degraded, each
/// profile's status, and the end of the log. No token or secret is ever in it (the
/// engine's status has none, and nothing secret is logged).
pub async fn diagnostics(cx: &Ctx<'_>) -> IpcResult<String> {
    let state = cx.state;
    let rows = state.run(|e| e.status(None)).await?;
    let a = this_app();
    let paths = &state.paths;
    let mut out = format!(
        "Latchkey {} (Tauri {}, WebKitGTK {}, {})\nconfig: {}\nlogs: {}\n",
        a.version,
        a.tauri,
        a.webkit,
        a.os,
        paths.config_dir().display(),
        paths.log_dir().display()
    );
    for problem in state.environment.degraded() {
        out.push_str(&format!("degraded: {problem}\n"));
    }
    out.push_str(&format!("start at login: {}\n", crate::start_at_login::is_enabled()));
    for r in rows {
        out.push_str(&format!(
            "profile {}: {} {:?} expires_at={:?} refresh_token={} last_error={:?}\n",
            r.name, r.server, r.status, r.expires_at, r.has_refresh_token, r.last_error
        ));
    }
    let log = std::fs::read_to_string(paths.log_dir().join(latchkey_engine::DESKTOP_LOG)).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(40).collect();
    out.push_str("--- last log lines ---\n");
    for line in tail.into_iter().rev() {
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// Only Linux has a webview of the app's own to name (WebKitGTK, a package); WebView2 and
/// WKWebView are the system's.
fn webkit_version() -> String {
    #[cfg(target_os = "linux")]
    {
        // The version WebKitGTK reports is not exposed by Tauri; the package knows.
        std::process::Command::new("dpkg-query")
            .args(["-W", "-f=${Version}", "libwebkit2gtk-4.1-0"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_else(|| "unknown".into())
    }
    #[cfg(not(target_os = "linux"))]
    {
        "system".into()
    }
}
