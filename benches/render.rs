//! Frame time of the journey screen: 200x60, a command running, 10,000 lines of
//! output held (the TUI's cap), drawn on ratatui's TestBackend. Target: < 1 ms a
//! frame (issue 7). Also 80x24, and the cost of taking in one output line.
//!
//!   cargo bench --bench render
//!   cargo bench --bench render -- --quick     (the smoke run in scripts/bench)

use std::hint::black_box;
use std::time::Duration;

use arcaflow_wizard::exec::CancelToken;
use arcaflow_wizard::journey::driver::Event;
use arcaflow_wizard::journey::StepState;
use arcaflow_wizard::ui::tui::app::{App, Msg};
use arcaflow_wizard::ui::tui::theme::Theme;
use arcaflow_wizard::ui::tui::view;
use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn steps() -> Vec<(String, String)> {
    [
        "About your plugin",
        "Python",
        "Poetry",
        "Project",
        "Python range",
        "Virtual environment",
        "SDK",
        "Dev tools",
        "Template files",
        "Plugin code",
        "Tests",
        "ACT checks",
        "Test build",
    ]
    .iter()
    .map(|t| {
        (
            t.to_string(),
            format!("Why {t} matters, in one paragraph that names the guide's section."),
        )
    })
    .collect()
}

/// The journey at its longest step, `lines` lines of Poetry-like output in.
fn busy_app(lines: usize) -> App {
    let mut app = App::new(
        "new plugin",
        steps(),
        CancelToken::new(),
        Theme { color: true },
    );
    for i in 0..6 {
        app.update(Msg::Event(Event::StepState {
            index: i,
            state: StepState::Running,
            detail: String::new(),
        }));
        app.update(Msg::Event(Event::StepState {
            index: i,
            state: StepState::Done,
            detail: String::new(),
        }));
    }
    app.update(Msg::Event(Event::StepState {
        index: 6,
        state: StepState::Running,
        detail: String::new(),
    }));
    app.update(Msg::Event(Event::ActionStart(
        "$ poetry add 'arcaflow-plugin-sdk@^0.14.3'".into(),
    )));
    for i in 0..lines {
        app.update(Msg::Event(Event::Output(
            format!(
                "  - Installing package-{i} ({}.{}.{}): Downloading... {}%",
                i % 7,
                i % 13,
                i % 29,
                i % 101
            )
            .into(),
        )));
    }
    app
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("journey screen");
    g.measurement_time(Duration::from_secs(3));
    for (w, h) in [(200u16, 60u16), (80, 24)] {
        let app = busy_app(10_000);
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        g.bench_function(format!("frame {w}x{h}, 10k lines"), |b| {
            b.iter(|| {
                term.draw(|f| view::draw(f, black_box(&app))).expect("draw");
            });
        });
    }
    let mut app = busy_app(10_000);
    let mut n = 0u64;
    g.bench_function("one output line in (at the 10k cap)", |b| {
        b.iter(|| {
            n += 1;
            app.update(Msg::Event(Event::Output(
                format!("Resolving dependencies... ({n}s)").into(),
            )))
        });
    });
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
