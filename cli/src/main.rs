//! The `latchkey` command: parse, run, turn errors into text and exit codes.
//!
//! Exit codes: 0 ok; 1 other failure; 2 usage; 3 sign-in needed; 4 server or network
//! error; 5 keyring unavailable; 6 the server refuses the client id or secret; 101 a bug
//! (a panic).
//!
//! Why `main` is a plain C entry point on Linux: `latchkey token` runs before every
//! upload and, with the tray running, is little more than starting a process. Rust's own
//! start-up asks glibc for the main thread's stack bounds, and glibc finds them by
//! reading and parsing `/proc/self/maps` — about a sixth of the command's instructions,
//! for a "stack overflow" message we can do without (BENCHMARKS.md). What that start-up
//! does that matters is done here: the standard descriptors are made valid before any
//! file or socket is opened (so a token can never be written into one of them), SIGPIPE
//! ends the process quietly, a panic still exits with 101, and `process::exit` flushes
//! standard output.

#![cfg_attr(all(target_os = "linux", not(test)), no_main)]

mod commands;

#[cfg(all(target_os = "linux", not(test)))]
#[allow(unsafe_code)] // the C entry point itself (see above); the only `main` symbol in the binary
#[no_mangle]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    guard_standard_descriptors();
    let code = std::panic::catch_unwind(run).unwrap_or(101);
    std::process::exit(code.into())
}

#[cfg(not(all(target_os = "linux", not(test))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}

fn run() -> u8 {
    // Behave like a Unix filter: `latchkey man | head` ends quietly on a closed pipe
    // instead of panicking in println!.
    #[cfg(unix)]
    #[allow(unsafe_code)] // SAFETY: setting a signal's disposition to the default touches no memory
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = commands::parse();
    let opened = match commands::run_early(&args) {
        commands::Early::Done(code) => return code,
        commands::Early::Continue(opened) => opened,
    };
    commands::init_logging(args.verbose);
    match commands::run(args, opened) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("latchkey: {err}");
            if let Some(hint) = commands::words::hint(&err) {
                eprintln!("{hint}");
            }
            err.exit_code() as u8
        }
    }
}

/// Open /dev/null on any of descriptors 0, 1, 2 that is closed, as Rust's start-up would:
/// otherwise the next file or socket opened would take its number, and `println!` would
/// write into it.
#[cfg(all(target_os = "linux", not(test)))]
#[allow(unsafe_code)] // fcntl/open on descriptor numbers, before anything else runs
fn guard_standard_descriptors() {
    for fd in 0..=2 {
        // SAFETY: fcntl(F_GETFD) and open only read their arguments.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
                && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) != fd
            {
                libc::abort(); // as Rust's start-up does when it cannot make them valid
            }
        }
    }
}
