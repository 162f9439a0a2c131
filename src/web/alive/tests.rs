//! The idle rule, the hold, and who is told why sftoken stops.

use super::*;

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn a_held_request_keeps_every_page_open_however_long() {
    let start = Instant::now();
    let mut pages = Pages::new(start);
    pages.poll_started(Owner(1), start);
    assert_eq!(pages.idle_for(start + 3600 * SECOND), Duration::ZERO);
    assert_eq!(pages.idle_for(start + 9000 * SECOND), Duration::ZERO);
}

#[test]
fn idle_time_counts_from_when_the_last_page_went_away() {
    let start = Instant::now();
    let mut pages = Pages::new(start);
    pages.poll_started(Owner(1), start);
    pages.poll_started(Owner(2), start + SECOND);
    pages.poll_ended(start + 10 * SECOND, None);
    assert_eq!(
        pages.idle_for(start + 100 * SECOND),
        Duration::ZERO,
        "one left"
    );
    pages.poll_ended(start + 20 * SECOND, None);
    assert_eq!(pages.idle_for(start + 50 * SECOND), 30 * SECOND);
    assert_eq!(
        pages.idle_for(start + 5 * SECOND),
        Duration::ZERO,
        "not before"
    );
}

#[test]
fn an_answered_page_counts_as_open_for_a_hold_then_as_gone() {
    let start = Instant::now();
    let mut pages = Pages::new(start);
    pages.poll_started(Owner(1), start);
    pages.poll_ended(start + 50 * SECOND, Some(50 * SECOND));
    assert_eq!(pages.idle_for(start + 99 * SECOND), Duration::ZERO);
    assert_eq!(pages.idle_for(start + 130 * SECOND), 30 * SECOND);
    // Asked again: the hold is spent; leaving counts from then.
    pages.poll_started(Owner(1), start + 51 * SECOND);
    pages.poll_ended(start + 60 * SECOND, None);
    assert_eq!(pages.idle_for(start + 70 * SECOND), 10 * SECOND);
}

#[test]
fn a_page_request_counts_but_never_shortens_an_open_time() {
    let start = Instant::now();
    let mut pages = Pages::new(start);
    pages.request(start + 10 * SECOND);
    assert_eq!(pages.idle_for(start + 15 * SECOND), 5 * SECOND);
    pages.poll_started(Owner(1), start + 20 * SECOND);
    pages.poll_ended(start + 30 * SECOND, Some(10 * SECOND));
    pages.request(start + 31 * SECOND);
    assert_eq!(pages.idle_for(start + 45 * SECOND), 5 * SECOND);
}

#[test]
fn the_hold_is_half_the_idle_timeout_within_a_second_and_fifty() {
    assert_eq!(hold(None), 50 * SECOND);
    assert_eq!(hold(Some(30 * 60 * SECOND)), 50 * SECOND);
    assert_eq!(hold(Some(180 * SECOND)), 50 * SECOND);
    assert_eq!(hold(Some(100 * SECOND)), 50 * SECOND);
    assert_eq!(hold(Some(20 * SECOND)), 10 * SECOND);
    assert_eq!(hold(Some(SECOND)), SECOND);
    // A page that stops asking is gone within the idle timeout after
    // its answer, plus the hold: never more than twice the timeout.
    for timeout in [SECOND, 2 * SECOND, 20 * SECOND, 99 * SECOND, 100 * SECOND] {
        assert!(hold(Some(timeout)) <= timeout, "{timeout:?}");
    }
}

#[test]
fn at_most_sixteen_pages_are_remembered() {
    let start = Instant::now();
    let mut pages = Pages::new(start);
    for owner in 0..=MAX_PAGES as u64 {
        pages.poll_started(Owner(owner), start);
        pages.poll_started(Owner(owner), start);
    }
    assert_eq!(pages.polled.len(), MAX_PAGES);
    assert!(!pages.polled.contains(&Owner(0)), "oldest forgotten");
    assert_eq!(pages.held, 2 * (MAX_PAGES + 1));
}

#[tokio::test]
async fn only_a_page_of_the_captured_session_loaded_since_the_capture_is_waited_for() {
    let alive = Alive::new();
    alive.captured_by(Owner(1));
    alive.stop(StopReason::Printed(None));
    // Session 1 never held a request: no page is coming.
    tokio::time::timeout(SECOND, alive.told_the_captured_page())
        .await
        .expect("at once");

    let alive = Alive::new();
    let before = Instant::now();
    alive.pages().poll_started(Owner(1), before);
    alive.pages().poll_started(Owner(2), before);
    assert_eq!(alive.tell(Owner(1), before), None, "nothing to tell yet");
    alive.captured_by(Owner(1));
    alive.stop(StopReason::Printed(None));
    let view = alive.tell(Owner(2), Instant::now()).expect("told");
    assert_eq!(view.title, "Done: the settings are in your terminal");
    assert_eq!(
        alive.tell(Owner(1), before),
        None,
        "a request from before the capture waits"
    );
    let waited = tokio::time::timeout(SECOND / 10, alive.told_the_captured_page()).await;
    assert!(
        waited.is_err(),
        "neither another session's page nor one from before the capture counts"
    );
    alive.tell(Owner(1), Instant::now()).expect("told");
    tokio::time::timeout(SECOND, alive.told_the_captured_page())
        .await
        .expect("told");
    alive.tell_everyone();
    assert!(alive.tell(Owner(1), before).is_some(), "now it hears");
}

#[test]
fn any_other_stop_is_told_to_every_page_at_once() {
    let alive = Alive::new();
    let before = Instant::now();
    alive.captured_by(Owner(1));
    alive.stop(StopReason::Signal);
    assert!(alive.tell(Owner(1), before).is_some());
    assert!(alive.tell(Owner(2), before).is_some());
}

#[test]
fn each_reason_says_why_in_words_with_the_real_timeout() {
    let idle = StopReason::Idle(20 * SECOND).view();
    assert_eq!(idle.title, "sftoken has stopped");
    assert!(
        idle.text.starts_with(
            "sftoken stopped after 20 seconds without an open page; run sftoken again."
        ),
        "{}",
        idle.text
    );
    assert!(StopReason::Signal.view().text.contains("Ctrl-C"));
    assert!(StopReason::Done.view().text.contains("Done"));
    let file = StopReason::Printed(Some("/tmp/s.json".into())).view();
    assert_eq!(file.title, "Done: the settings are in /tmp/s.json");
    for reason in [StopReason::Signal, StopReason::Done, StopReason::NotPrinted] {
        assert!(reason.view().text.contains("wiped"), "{reason:?}");
    }
}
