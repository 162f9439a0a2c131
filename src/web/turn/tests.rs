//! Whose turn it is, and which connection makes room, on a paused clock.

use super::*;

const SECOND: Duration = Duration::from_secs(1);

async fn later(by: Duration) -> Instant {
    tokio::time::advance(by).await;
    Instant::now()
}

/// Whether `close` was called on `conn` (its permit is waiting).
async fn was_closed(conn: &Conn) -> bool {
    tokio::time::timeout(Duration::ZERO, conn.closed())
        .await
        .is_ok()
}

#[tokio::test(start_paused = true)]
async fn a_new_connection_waits_for_its_client_from_the_moment_it_opens() {
    let opened = Instant::now();
    let open = Connections::new(4);
    let conn = open.admit().expect("room");

    later(3 * SECOND).await;

    assert_eq!(conn.waiting_since(), Some(opened));
    assert_eq!(open.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn while_a_request_is_answered_it_is_sftokens_turn_however_long() {
    let open = Connections::new(4);
    let conn = open.admit().expect("room");
    let head = later(SECOND).await;
    let answering = conn.answer();

    let now = later(3600 * SECOND).await;
    assert_eq!(conn.waiting_since(), None);
    assert!(!conn.overdue(now));
    assert_eq!(conn.next_check(now), now + CLIENT_WAIT);

    let handed_over = later(SECOND).await;
    drop(answering);
    assert_eq!(conn.waiting_since(), Some(handed_over), "not {head:?}");
}

#[tokio::test(start_paused = true)]
async fn a_body_is_waited_for_from_its_head_and_trickling_does_not_extend_it() {
    let open = Connections::new(4);
    let conn = open.admit().expect("room");
    let head = later(SECOND).await;
    let _answering = conn.answer();
    later(3 * SECOND).await;

    conn.set_body(true);
    assert_eq!(conn.waiting_since(), Some(head));
    conn.set_body(false);
    assert_eq!(conn.waiting_since(), None, "a part arrived: sftoken's turn");
    later(3 * SECOND).await;
    conn.set_body(true);
    assert_eq!(conn.waiting_since(), Some(head));
}

#[tokio::test(start_paused = true)]
async fn an_unread_answer_is_waited_for_from_when_sftoken_gave_it() {
    let open = Connections::new(4);
    let conn = open.admit().expect("room");
    later(SECOND).await;
    let answering = conn.answer();
    let given = later(SECOND).await;
    drop(answering);
    later(2 * SECOND).await;

    conn.set_unread(true);
    assert_eq!(conn.waiting_since(), Some(given));
    conn.set_unread(false);
    assert_eq!(
        conn.waiting_since(),
        Some(given),
        "idle: still the client's turn"
    );

    let head = later(SECOND).await;
    let _answering = conn.answer();
    conn.set_unread(true);
    assert_eq!(
        conn.waiting_since(),
        Some(head),
        "an answer being given, unread"
    );
}

#[tokio::test(start_paused = true)]
async fn the_client_may_keep_sftoken_waiting_just_under_ten_seconds() {
    assert_eq!(CLIENT_WAIT, 10 * SECOND);
    let open = Connections::new(4);
    let conn = open.admit().expect("room");
    let opened = Instant::now();

    assert_eq!(conn.next_check(opened + SECOND), opened + CLIENT_WAIT);
    let just_under = later(CLIENT_WAIT - Duration::from_millis(1)).await;
    assert!(!conn.overdue(just_under));
    let at = later(Duration::from_millis(1)).await;
    assert!(conn.overdue(at));
    assert!(conn.overdue(at + SECOND));
}

#[tokio::test(start_paused = true)]
async fn answering_twice_at_once_stays_sftokens_turn_until_both_are_given() {
    let open = Connections::new(4);
    let conn = open.admit().expect("room");
    let first = conn.answer();
    let second = conn.answer();

    drop(first);
    assert_eq!(conn.waiting_since(), None);
    let given = later(SECOND).await;
    drop(second);
    assert_eq!(conn.waiting_since(), Some(given));
}

#[tokio::test(start_paused = true)]
async fn at_the_cap_the_connection_waited_for_longest_makes_room() {
    let open = Connections::new(3);
    let a = open.admit().expect("room");
    later(SECOND).await;
    let b = open.admit().expect("room");
    later(SECOND).await;
    let c = open.admit().expect("room");
    later(SECOND).await;
    // `a` opened first, but sent a request and had its answer since: it is
    // the one waited for the shortest.
    drop(a.answer());
    later(SECOND).await;

    let d = open.admit().expect("room for a fourth");
    assert!(was_closed(&b).await, "b has waited longest");
    assert!(!was_closed(&a).await && !was_closed(&c).await);
    assert_eq!(open.len(), 3);

    let _e = open.admit().expect("room for a fifth");
    assert!(was_closed(&c).await, "then c");
    assert!(!was_closed(&a).await && !was_closed(&d).await);

    let _f = open.admit().expect("room for a sixth");
    assert!(
        was_closed(&a).await,
        "then a, whose answer was given before d opened"
    );
    assert!(!was_closed(&d).await);
    assert_eq!(open.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_connection_being_answered_is_never_pushed_out() {
    let open = Connections::new(2);
    let long_poll = open.admit().expect("room");
    let _answering = long_poll.answer();
    later(3600 * SECOND).await;
    let stalled = open.admit().expect("room");
    later(SECOND).await;

    let _new = open.admit().expect("room for a third");

    assert!(was_closed(&stalled).await);
    assert!(!was_closed(&long_poll).await, "a long poll stays");
}

#[tokio::test(start_paused = true)]
async fn when_sftoken_answers_on_every_connection_a_new_one_is_refused() {
    let open = Connections::new(2);
    let a = open.admit().expect("room");
    let b = open.admit().expect("room");
    let _answering = (a.answer(), b.answer());

    assert!(open.admit().is_none());
    assert_eq!(open.len(), 2);
    assert!(!was_closed(&a).await && !was_closed(&b).await);
}

#[tokio::test(start_paused = true)]
async fn a_closed_connection_leaves_room_without_pushing_one_out() {
    let open = Connections::new(2);
    let a = open.admit().expect("room");
    let b = open.admit().expect("room");

    open.remove(&a);
    assert_eq!(open.len(), 1);
    let _c = open.admit().expect("room");

    assert!(!was_closed(&b).await);
    assert_eq!(open.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn on_stop_only_the_connections_waiting_for_their_client_are_closed() {
    let open = Connections::new(4);
    let idle = open.admit().expect("room");
    let answered = open.admit().expect("room");
    let _answering = answered.answer();
    let unread = open.admit().expect("room");
    let _giving = unread.answer();
    unread.set_unread(true);

    open.close_waiting();

    assert!(was_closed(&idle).await && was_closed(&unread).await);
    assert!(!was_closed(&answered).await);
    assert_eq!(open.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_write_the_client_does_not_read_is_the_clients_turn_until_it_goes_through() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let open = Connections::new(4);
    let conn = open.admit().expect("room");
    let _answering = conn.answer();
    let (mut client, server) = tokio::io::duplex(4);
    let mut socket = Watched::new(server, conn.clone());

    socket.write_all(b"abcd").await.expect("fits");
    assert_eq!(conn.waiting_since(), None);
    let blocked = tokio::time::timeout(SECOND, socket.write_all(b"efgh")).await;
    assert!(blocked.is_err(), "the pipe is full");
    assert!(conn.waiting_since().is_some(), "the client's turn");

    let mut read = [0; 4];
    client.read_exact(&mut read).await.expect("read");
    socket.write_all(b"efgh").await.expect("room again");
    assert_eq!(conn.waiting_since(), None, "sftoken's turn again");
    client.read_exact(&mut read).await.expect("read");
    assert_eq!(&read, b"efgh");
}
