//! Drawing: one function per screen part, all reading `App` and nothing else.
//! Layout: a header line, the steps on the left, the current step on the right
//! (title, why, the command, the output, and a question, diff or failure box),
//! the keys at the bottom; help and "quit?" are overlays.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::app::{App, DiffView, FailureView, Form, Kind, Modal, Search};
use super::output::clean;
use super::theme::Theme;
use crate::journey::driver::Outcome;
use crate::journey::{QuestionKind, StepState};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let [header, body, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(f, app, header);
    let left_w = (area.width / 3).clamp(20, 32);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
    draw_steps(f, app, left);
    draw_step(f, app, right);
    draw_keys(f, &app.theme, keys, &key_hints(app));
    if app.help {
        draw_help(f, app, area);
    }
    if app.confirm_quit {
        draw_confirm_quit(f, app, area);
    }
}

fn draw_header(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let right = if app.steps.is_empty() {
        String::new()
    } else {
        format!("step {} of {} ", app.current + 1, app.steps.len())
    };
    let left = format!(" arcaflow-wizard · {}", app.journey);
    let pad = (area.width as usize).saturating_sub(width(&left) + width(&right));
    let line = Line::from(vec![
        Span::styled(left, t.bold().patch(t.accent())),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, t.dim()),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

pub fn mark(state: StepState) -> &'static str {
    match state {
        StepState::Done => "✓",
        StepState::Skipped => "↷",
        StepState::Running => "▶",
        StepState::Failed => "✗",
        StepState::Waiting => "·",
    }
}

fn draw_steps(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered().title(" Steps ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for (i, s) in app.steps.iter().enumerate() {
        let style = match s.state {
            StepState::Done | StepState::Skipped => t.ok(),
            StepState::Running => t.accent().patch(t.bold()),
            StepState::Failed => t.bad().patch(t.bold()),
            StepState::Waiting => t.dim(),
        };
        let style = if i == app.current {
            style.patch(t.bold())
        } else {
            style
        };
        let text = truncate(&format!("{} {}", mark(s.state), s.title), w);
        lines.push(Line::styled(text, style));
    }
    // What the marks mean, when there is room for it.
    let legend = ["✓ done  ↷ already done", "▶ running  ✗ failed", "· waiting"];
    if (inner.height as usize) > lines.len() + legend.len() {
        let pad = inner.height as usize - lines.len() - legend.len();
        lines.extend(std::iter::repeat_n(Line::raw(""), pad));
        for l in legend {
            lines.push(Line::styled(truncate(l, w), t.dim()));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_step(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let block = Block::bordered();
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let step = app.steps.get(app.current);
    let mut top: Vec<Line> = Vec::new();
    if let Some(s) = step {
        top.push(Line::styled(
            truncate(&format!("{} {}", mark(s.state), s.title), w),
            t.bold(),
        ));
        let max_why = if inner.height >= 30 { 6 } else { 3 };
        let mut why = wrap(&s.why, w);
        if why.len() > max_why {
            why.truncate(max_why);
            let last = why.pop().unwrap_or_default();
            let keep: String = last.chars().take(w.saturating_sub(16)).collect();
            why.push(format!("{} … (? for more)", keep.trim_end()));
        }
        top.extend(why.into_iter().map(|l| Line::styled(l, t.dim())));
    }
    if let Some(r) = &app.running {
        let el = r.started.elapsed();
        let spin = SPINNER[(el.as_millis() / 100) as usize % SPINNER.len()];
        let clock = format!(" {spin} {}", clock(el.as_secs()));
        let cmd = truncate(&r.summary, w.saturating_sub(width(&clock) + 2));
        top.push(Line::from(vec![
            Span::styled("▶ ", t.accent()),
            Span::styled(cmd, t.bold()),
            Span::styled(clock, t.accent()),
        ]));
    } else if let Some(l) = &app.last {
        let (m, st) = if l.ok {
            ("✓ ", t.ok())
        } else {
            ("✗ ", t.bad())
        };
        let secs = format!(" ({:.1} s)", l.elapsed.as_secs_f64());
        top.push(Line::from(vec![
            Span::styled(m, st),
            Span::raw(truncate(&l.summary, w.saturating_sub(width(&secs) + 2))),
            Span::styled(secs, t.dim()),
        ]));
    }
    if let Some(s) = &app.status {
        top.push(Line::styled(truncate(s, w), t.warn().patch(t.bold())));
    }
    let top_h = (top.len() as u16).min(inner.height);
    let [top_area, rest] =
        Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(top), top_area);

    if let Modal::Diff(d) = &app.modal {
        draw_diff(f, t, d, rest);
        return;
    }
    let (bottom, bottom_h) = bottom_box(app, rest.width, rest.height);
    let [out_area, bottom_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_h)]).areas(rest);
    draw_output(f, app, out_area);
    if let Some(draw) = bottom {
        draw(f, app, bottom_area);
    }
}

type BoxDraw = fn(&mut Frame, &App, Rect);

/// The box under the output (a question, a failure, the end) and its height.
fn bottom_box(app: &App, w: u16, h: u16) -> (Option<BoxDraw>, u16) {
    let inner_w = w.saturating_sub(2) as usize;
    let cap = h.saturating_sub(4).max(3);
    let (d, want): (BoxDraw, usize) = match &app.modal {
        Modal::Ask(form) => (
            draw_form,
            form_lines(form, inner_w, cap.saturating_sub(2) as usize).len(),
        ),
        Modal::Failure(fv) => (draw_failure, failure_lines(&app.theme, fv, inner_w).len()),
        _ => match &app.finished {
            Some(_) => (draw_finished, finished_lines(app, inner_w).len()),
            None => return (None, 0),
        },
    };
    (Some(d), ((want as u16) + 2).min(cap))
}

fn draw_output(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut block = Block::bordered().title(" Output ");
    if let Some(s) = &app.search {
        let text = if s.editing {
            format!(" /{}▏ Enter: find · Esc: cancel ", s.term)
        } else {
            let n = app.output.count_matching(&s.term, |l| s.matches(&clean(l)));
            format!(
                " /{} · {n} lines match · n: older  N: newer  Esc: end ",
                s.term
            )
        };
        block = block.title_bottom(Line::styled(text, t.key()));
    } else if app.scroll > 0 {
        block = block.title_bottom(format!(" ↑ {} lines back · End: follow ", app.scroll));
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let h = inner.height as usize;
    app.out_rows.set(h);
    if w == 0 || h == 0 {
        return;
    }
    let mut rows: Vec<Line> = Vec::new();
    let newest = app.output.len().saturating_sub(1);
    for (k, (kind, raw)) in app.output.iter().rev().skip(app.scroll).enumerate() {
        let i = newest - app.scroll - k;
        let text = clean(raw);
        let style = match kind {
            Kind::Step => t.bold().patch(t.accent()),
            Kind::Command => t.bold(),
            Kind::Output => Style::default(),
            Kind::Note => t.warn(),
            Kind::Ok => t.ok(),
            Kind::Bad => t.bad(),
        };
        let indent = if kind == Kind::Output { "  " } else { "" };
        let wrapped = wrap(&format!("{indent}{text}"), w);
        let current = app.search.as_ref().and_then(|s| s.current) == Some(i);
        for r in wrapped.into_iter().rev() {
            let line = match &app.search {
                Some(s) if !s.editing && s.matches(&text) => highlight(t, s, &r, style, current),
                _ => Line::styled(r, style),
            };
            rows.push(line);
            if rows.len() >= h {
                break;
            }
        }
        if rows.len() >= h {
            break;
        }
    }
    if rows.is_empty() {
        rows.push(Line::styled(
            "(the commands of this step and their output appear here)",
            t.dim(),
        ));
    }
    rows.reverse();
    f.render_widget(Paragraph::new(rows), inner);
}

/// A row with the search term marked: reversed on the current match, underlined
/// elsewhere (no colour needed to see either); the current match also gets "»".
fn highlight(t: &Theme, s: &Search, row: &str, style: Style, current: bool) -> Line<'static> {
    let mark = if current {
        t.selected()
    } else {
        t.bold()
            .patch(Style::default().add_modifier(ratatui::style::Modifier::UNDERLINED))
    };
    let lower: Vec<char> = row.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = row.chars().collect();
    let term: Vec<char> = s.term.chars().flat_map(char::to_lowercase).collect();
    let mut spans = Vec::new();
    if current {
        spans.push(Span::styled("» ", t.selected()));
    }
    // Lowercasing kept one char per char (else mark the whole row).
    if lower.len() != chars.len() || term.is_empty() {
        spans.push(Span::styled(row.to_string(), style.patch(mark)));
        return Line::from(spans);
    }
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        if lower[i..].starts_with(&term) {
            if !plain.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut plain), style));
            }
            let hit: String = chars[i..i + term.len()].iter().collect();
            spans.push(Span::styled(hit, style.patch(mark)));
            i += term.len();
        } else {
            plain.push(chars[i]);
            i += 1;
        }
    }
    if !plain.is_empty() {
        spans.push(Span::styled(plain, style));
    }
    Line::from(spans)
}

/// The rows of a question box with `rows` inner rows at most; the field row of a
/// text question is a placeholder the text area covers.
fn form_lines(form: &Form, w: usize, rows: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = wrap(&form.q.prompt, w).into_iter().map(Line::raw).collect();
    if form.is_list() {
        let opts = form.options();
        let room = rows.saturating_sub(lines.len() + 1).max(1);
        let start = form.selected.saturating_sub(room.saturating_sub(1));
        for (i, (_, label)) in opts.iter().enumerate().skip(start).take(room) {
            let text = if form.q.kind == QuestionKind::YesNo {
                format!("{} {label}", if i == form.selected { "›" } else { " " })
            } else {
                format!(
                    "{} {}) {label}",
                    if i == form.selected { "›" } else { " " },
                    i + 1
                )
            };
            lines.push(Line::raw(truncate(&text, w)));
        }
    } else {
        lines.push(Line::raw("›"));
    }
    match form.verdict() {
        Some(Err(e)) => lines.extend(wrap(&format!("✗ {e}"), w).into_iter().map(Line::raw)),
        Some(Ok(v)) => {
            let shown = if form.q.kind == QuestionKind::Secret || v == form.value().trim() {
                "✓ ok".to_string()
            } else {
                format!("✓ ok: {v}")
            };
            lines.push(Line::raw(truncate(&shown, w)));
        }
        // A row kept for the verdict, so the box does not jump as the user types.
        None => lines.push(Line::raw("")),
    }
    lines
}

fn draw_form(f: &mut Frame, app: &App, area: Rect) {
    let Modal::Ask(form) = &app.modal else {
        return;
    };
    let t = &app.theme;
    let title = match form.q.kind {
        QuestionKind::Secret => " Question · hidden as you type ",
        _ => " Question ",
    };
    let block = Block::bordered().title(title).border_style(t.accent());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let plain = form_lines(form, w, inner.height as usize);
    let prompt_n = wrap(&form.q.prompt, w).len();
    let mut lines: Vec<Line> = Vec::new();
    for (i, l) in plain.into_iter().enumerate() {
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        let style = if i < prompt_n {
            t.bold()
        } else if text.starts_with('✗') {
            t.bad()
        } else if text.starts_with("✓") {
            t.ok()
        } else if text.starts_with('›') && form.is_list() {
            t.selected()
        } else {
            Style::default()
        };
        lines.push(Line::styled(text, style));
    }
    f.render_widget(Paragraph::new(lines), inner);
    if !form.is_list() && inner.height as usize > prompt_n && inner.width > 3 {
        let field = Rect {
            x: inner.x + 2,
            y: inner.y + prompt_n as u16,
            width: inner.width - 2,
            height: 1,
        };
        f.render_widget(&form.input, field);
    }
}

fn failure_lines(t: &Theme, fv: &FailureView, w: usize) -> Vec<Line<'static>> {
    let f = &fv.failure;
    let mut lines: Vec<Line> = wrap(&format!("✗ {}", f.message), w)
        .into_iter()
        .map(|l| Line::styled(l, t.bad().patch(t.bold())))
        .collect();
    if let Some(h) = &f.hint {
        let mut hint = wrap(h, w);
        hint.truncate(6);
        lines.extend(hint.into_iter().map(Line::raw));
    }
    if let Some(fix) = &f.fix {
        for a in fix.actions.iter().take(3) {
            lines.push(Line::styled(
                truncate(&format!("fix: {}", a.summary()), w),
                t.accent(),
            ));
        }
    }
    for (i, (_, key, label)) in fv.choices().into_iter().enumerate() {
        let sel = i == fv.selected;
        let text = truncate(
            &format!("{} [{key}] {label}", if sel { "›" } else { " " }),
            w,
        );
        lines.push(Line::styled(
            text,
            if sel { t.selected() } else { Style::default() },
        ));
    }
    lines
}

fn draw_failure(f: &mut Frame, app: &App, area: Rect) {
    let Modal::Failure(fv) = &app.modal else {
        return;
    };
    let t = &app.theme;
    let block = Block::bordered()
        .title(format!(" {} failed ", fv.title))
        .border_style(t.bad());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = failure_lines(t, fv, inner.width as usize);
    // Keep the choices visible when the box is short: drop hint lines first.
    let choices = fv.choices().len();
    while lines.len() > inner.height as usize && lines.len() > choices + 1 {
        lines.remove(lines.len() - choices - 1);
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn finished_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(o) = &app.finished else {
        return Vec::new();
    };
    let (text, style) = match o {
        Outcome::Done => ("✓ Done. Press Enter to leave.".to_string(), t.ok()),
        Outcome::Quit => (
            "Stopped. Run the same command again to continue. Press Enter to leave.".into(),
            t.warn(),
        ),
        Outcome::Failed(f) => (
            format!(
                "✗ Stopped: {}. Fix it and run the same command again: finished steps are skipped. Press Enter to leave.",
                f.message.trim_end_matches('.')
            ),
            t.bad(),
        ),
    };
    let mut lines: Vec<Line> = wrap(&text, w)
        .into_iter()
        .map(|l| Line::styled(l, style.patch(t.bold())))
        .collect();
    if app.export.is_some() {
        match &app.export_replaces {
            Some(p) => lines.extend(
                wrap(
                    &format!(
                        "{} exists. Enter: replace it · edit the path to keep it · Esc: cancel",
                        p.display()
                    ),
                    w,
                )
                .into_iter()
                .map(|l| Line::styled(l, t.warn())),
            ),
            None => lines.push(Line::raw(
                "Save the session script to (Enter: save, Esc: cancel):",
            )),
        }
        // The field row; the text area covers it.
        lines.push(Line::raw("›"));
    } else {
        match &app.exported {
            Some(Ok(p)) => lines.extend(
                wrap(
                    &format!("✓ Saved what ran as a shell script: {}", p.display()),
                    w,
                )
                .into_iter()
                .map(|l| Line::styled(l, t.ok())),
            ),
            Some(Err(e)) => lines.extend(
                wrap(&format!("✗ {e}"), w)
                    .into_iter()
                    .map(|l| Line::styled(l, t.bad())),
            ),
            None => {}
        }
        lines.extend(
            wrap(
                "e: save what ran as a shell script (commands and files, never a secret)",
                w,
            )
            .into_iter()
            .map(|l| Line::styled(l, t.dim())),
        );
    }
    lines
}

fn draw_finished(f: &mut Frame, app: &App, area: Rect) {
    if app.finished.is_none() {
        return;
    }
    let block = Block::bordered().title(" Finished ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = finished_lines(app, inner.width as usize);
    let n = lines.len();
    // Keep the last rows (the export field) when the box is short.
    let skip = n.saturating_sub(inner.height as usize);
    f.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
    if let Some(field) = &app.export {
        let row = (n - skip).saturating_sub(1) as u16;
        if row < inner.height && inner.width > 3 {
            let r = Rect {
                x: inner.x + 2,
                y: inner.y + row,
                width: inner.width - 2,
                height: 1,
            };
            f.render_widget(field, r);
        }
    }
}

fn draw_diff(f: &mut Frame, t: &Theme, d: &DiffView, area: Rect) {
    let path = std::env::current_dir()
        .ok()
        .and_then(|c| d.path.strip_prefix(c).ok().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| d.path.clone());
    let title = if !d.change.also.is_empty() {
        // One change to several files (the version bump): name them all.
        let names: Vec<String> = d
            .change
            .also
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        format!(" Change: {} and {} ", path.display(), names.join(" and "))
    } else if d.change.new {
        format!(" New file: {} ", path.display())
    } else if d.change.replaces_users_file {
        format!(" Your file would change: {} ", path.display())
    } else {
        format!(" Change: {} ", path.display())
    };
    let block = Block::bordered()
        .title(title)
        .border_style(if d.change.replaces_users_file {
            t.warn()
        } else {
            t.accent()
        });
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let h = (inner.height as usize).saturating_sub(1);
    let body: Vec<&str> = d
        .change
        .diff
        .lines()
        .filter(|l| {
            !(d.change.new && (l.starts_with("---") || l.starts_with("+++") || l.starts_with("@@")))
        })
        .collect();
    let max_scroll = body.len().saturating_sub(h);
    let scroll = d.scroll.min(max_scroll);
    let mut lines: Vec<Line> = body
        .iter()
        .skip(scroll)
        .take(h)
        .map(|l| {
            let style = if l.starts_with("+++") || l.starts_with("---") {
                t.bold()
            } else if l.starts_with('+') {
                t.ok()
            } else if l.starts_with('-') {
                t.bad()
            } else if l.starts_with("@@") {
                t.accent()
            } else {
                Style::default()
            };
            Line::styled(truncate(&clean_tabs(l), w), style)
        })
        .collect();
    lines.resize(h, Line::raw(""));
    let more = if scroll < max_scroll {
        format!(" ↓ {} more lines", max_scroll - scroll)
    } else {
        String::new()
    };
    let q = if d.change.replaces_users_file {
        "Replace your file? y yes · n no (default)"
    } else {
        "Write it? y yes (default) · n no"
    };
    lines.push(Line::from(vec![
        Span::styled(q, t.bold()),
        Span::styled(more, t.dim()),
    ]));
    f.render_widget(Paragraph::new(lines), inner);
}

fn key_hints(app: &App) -> Vec<(&'static str, &'static str)> {
    if app.confirm_quit {
        return vec![("y", "quit"), ("n/Esc", "stay")];
    }
    if app.help {
        return vec![("Esc/?", "close help")];
    }
    if app.export.is_some() {
        return vec![("Enter", "save"), ("Esc", "cancel")];
    }
    if app.search.as_ref().is_some_and(|s| s.editing) {
        return vec![("Enter", "find"), ("Esc", "cancel search")];
    }
    if app.search.is_some() && (app.finished.is_some() || matches!(app.modal, Modal::None)) {
        return vec![
            ("n", "older match"),
            ("N", "newer match"),
            ("/", "new search"),
            ("Esc", "end search"),
        ];
    }
    if app.finished.is_some() {
        return vec![
            ("Enter", "leave"),
            ("e", "export script"),
            ("↑↓", "scroll"),
            ("/", "search"),
        ];
    }
    match &app.modal {
        Modal::Ask(f) if f.is_list() => vec![
            ("↑↓", "choose"),
            ("Enter", "accept"),
            ("?", "help"),
            ("q", "quit"),
        ],
        Modal::Ask(_) => vec![
            ("Enter", "accept"),
            ("Esc", "quit"),
            ("F1", "help"),
            ("PgUp/PgDn", "output"),
        ],
        Modal::Diff(_) => vec![
            ("y", "write"),
            ("n", "keep"),
            ("a", "all new files"),
            ("↑↓", "scroll"),
            ("q", "quit"),
        ],
        Modal::Failure(fv) if fv.failure.fix.is_some() => vec![
            ("f", "fix"),
            ("r", "retry"),
            ("s", "skip"),
            ("q", "quit"),
            ("?", "help"),
        ],
        Modal::Failure(_) => vec![("r", "retry"), ("s", "skip"), ("q", "quit"), ("?", "help")],
        Modal::None if app.running.is_some() => vec![
            ("Ctrl-C", "cancel"),
            ("↑↓ PgUp/PgDn", "scroll"),
            ("/", "search"),
            ("?", "help"),
            ("q", "quit"),
        ],
        Modal::None => vec![
            ("↑↓ PgUp/PgDn", "scroll"),
            ("/", "search"),
            ("?", "help"),
            ("q", "quit"),
        ],
    }
}

pub fn draw_keys(f: &mut Frame, t: &Theme, area: Rect, keys: &[(&str, &str)]) {
    let mut spans = vec![Span::raw(" ")];
    for (k, label) in keys {
        spans.push(Span::styled(k.to_string(), t.key()));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let r = centered(
        area,
        area.width.saturating_sub(6).min(90),
        area.height.saturating_sub(2),
    );
    let step = app.steps.get(app.current);
    let title = format!(
        " Help: {} ",
        step.map(|s| s.title.as_str()).unwrap_or("arcaflow-wizard")
    );
    let block = Block::bordered().title(title).border_style(t.accent());
    let inner = block.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(block, r);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(s) = step {
        lines.extend(wrap(&s.why, w).into_iter().map(Line::raw));
        if !s.detail.is_empty() {
            lines.push(Line::raw(""));
            lines.extend(
                wrap(&s.detail, w)
                    .into_iter()
                    .map(|l| Line::styled(l, t.dim())),
            );
        }
        lines.push(Line::raw(""));
    }
    for (k, what) in [
        ("Enter", "accept the answer or the highlighted choice"),
        ("↑↓ 1-9", "move in a list of choices"),
        ("y / n", "write the file / keep yours, in the diff view"),
        ("f r s q", "after a failure: fix, retry, skip, quit"),
        ("PgUp/PgDn", "scroll the output back; End follows the tail"),
        (
            "↑↓ wheel",
            "scroll the output by a line where no list uses them",
        ),
        (
            "/ n N",
            "search the output; n older, N newer match; Esc ends",
        ),
        ("e", "at the end: save what ran as a shell script"),
        ("Ctrl-C", "cancel the running command; twice: quit"),
        (
            "q / Esc",
            "quit (finished steps are kept; run again to resume)",
        ),
        ("? / F1", "this help"),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("{k:<10}"), t.key()),
            Span::raw(truncate(what, w.saturating_sub(10))),
        ]));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_confirm_quit(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let r = centered(area, 60, 6);
    let block = Block::bordered().title(" Quit? ").border_style(t.warn());
    let inner = block.inner(r);
    f.render_widget(Clear, r);
    f.render_widget(block, r);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = wrap(
        "Quit now? Finished steps are kept: run the same command again to continue.",
        w,
    )
    .into_iter()
    .map(Line::raw)
    .collect();
    lines.push(Line::from(vec![
        Span::styled("y", t.key()),
        Span::raw(" quit   "),
        Span::styled("n", t.key()),
        Span::raw(" stay"),
    ]));
    f.render_widget(Paragraph::new(lines), inner);
}

/// Wrap at word boundaries where possible, by characters.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut n = 0;
        for word in para.split(' ') {
            let wl = width(word);
            if n > 0 && n + 1 + wl > w {
                out.push(std::mem::take(&mut line));
                n = 0;
            }
            if n > 0 {
                line.push(' ');
                n += 1;
            }
            if wl > w {
                // A word longer than the line: cut it.
                for c in word.chars() {
                    if n >= w {
                        out.push(std::mem::take(&mut line));
                        n = 0;
                    }
                    line.push(c);
                    n += 1;
                }
            } else {
                line.push_str(word);
                n += wl;
            }
        }
        out.push(line);
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

pub fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut t: String = s.chars().take(w - 1).collect();
    t.push('…');
    t
}

fn clean_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}

fn clock(secs: u64) -> String {
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}
