//! The renewal schedule at scale: time per event and memory for 1,000 / 10,000 /
//! 100,000 profiles (target: ≤ 50 MB and O(log n) per event at 10,000).
//!
//! Run with `cargo bench --bench schedule`. Memory is counted by a wrapping allocator
//! (bytes live after planning every profile), printed before the timings.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use latchkey_engine::Renewal;
use latchkey_engine::{Policy, Schedule};
use latchkey_engine::{Status, TokenState};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)] // a counting wrapper around the system allocator, to measure memory
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn state(obtained: u64) -> TokenState {
    TokenState {
        status: Status::SignedIn,
        obtained_at: Some(obtained),
        expires_at: Some(obtained + 36_000),
        has_refresh_token: true,
        ..Default::default()
    }
}

fn planned(n: u64) -> (Schedule, Vec<String>) {
    let names: Vec<String> = (0..n).map(|i| format!("profile-{i:06}")).collect();
    let mut s = Schedule::new(Policy::default());
    for (i, name) in names.iter().enumerate() {
        s.plan(name, Renewal::RefreshToken, &state(i as u64), i as u64);
    }
    (s, names)
}

fn memory_report() {
    for n in [1_000u64, 10_000, 100_000] {
        let before = LIVE.load(Ordering::Relaxed);
        let (s, names) = planned(n);
        let names_bytes: usize = names.iter().map(|n| n.capacity()).sum::<usize>() + names.capacity() * 24;
        let used = LIVE.load(Ordering::Relaxed) - before - names_bytes;
        println!(
            "schedule memory: {n} profiles -> {:.2} MB ({:.0} bytes/profile)",
            used as f64 / 1e6,
            used as f64 / n as f64
        );
        drop((s, names));
    }
}

fn bench(c: &mut Criterion) {
    memory_report();
    let mut group = c.benchmark_group("renewal event");
    for n in [1_000u64, 10_000, 100_000] {
        let (mut s, names) = planned(n);
        let mut t = n;
        // One event: the earliest profile falls due, is renewed, and is planned again.
        group.bench_with_input(BenchmarkId::new("pop due + replan", n), &n, |b, _| {
            b.iter(|| {
                let due = s.next_due().unwrap();
                let popped = s.pop_due(due);
                for (name, _) in popped {
                    t += 1;
                    s.plan(&name, Renewal::RefreshToken, &state(due), t);
                }
            })
        });
        // A store change: one profile re-planned (the CLI renewed it).
        let mut i = 0usize;
        group.bench_with_input(BenchmarkId::new("replan one", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 7919) % names.len();
                t += 1;
                black_box(s.plan(&names[i], Renewal::RefreshToken, &state(t), t));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
