//! What the router tests share: a demo server, and requests as a browser at its address sends.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use followup_app::{App, Config};
use followup_web::{WebState, router};
use http_body_util::BodyExt;
use jiff::civil::{Date, date};
use tower::ServiceExt;

pub const TODAY: Date = date(2026, 11, 23);

/// The port the test router believes it is bound to; `send` names it in Host.
pub const PORT: u16 = 7878;
pub const HOST: &str = "127.0.0.1:7878";

pub struct Server {
    pub dir: tempfile::TempDir,
    pub state: WebState,
}

pub fn demo() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        dir: Some(dir.path().to_path_buf()),
        ..Config::default()
    };
    let app = App::open_shared(&dir.path().join("web.db"), config).unwrap();
    followup_app::demo::build(&app, &app.ctx(TODAY).unwrap()).unwrap();
    Server {
        dir,
        state: WebState::new(app, Some(TODAY)).serving(PORT),
    }
}

/// A server over a book with nothing in it.
pub fn empty() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        dir: Some(dir.path().to_path_buf()),
        ..Config::default()
    };
    let app = App::open_shared(&dir.path().join("web.db"), config).unwrap();
    Server {
        dir,
        state: WebState::new(app, Some(TODAY)).serving(PORT),
    }
}

/// Sends `req` as a browser at this server's address would: with its Host.
pub async fn send(
    s: &Server,
    mut req: Request<Body>,
) -> (StatusCode, String, axum::http::HeaderMap) {
    if !req.headers().contains_key(header::HOST) {
        req.headers_mut()
            .insert(header::HOST, HOST.parse().unwrap());
    }
    send_raw(s, req).await
}

/// Sends `req` with exactly the headers it has.
pub async fn send_raw(
    s: &Server,
    req: Request<Body>,
) -> (StatusCode, String, axum::http::HeaderMap) {
    let res = router(s.state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), headers)
}

pub async fn get(s: &Server, uri: &str) -> (StatusCode, String) {
    let (st, body, _) = send(s, Request::get(uri).body(Body::empty()).unwrap()).await;
    (st, body)
}

pub fn form(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub fn json_req(uri: &str, body: serde_json::Value) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The Import page's form posting a LinkedIn file.
pub fn upload(file_name: &str, file: &[u8]) -> Request<Body> {
    let boundary = "XYZBOUNDARY";
    Request::post("/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(upload_body(boundary, file_name, file)))
        .unwrap()
}

/// The multipart body of `upload`.
pub fn upload_body(boundary: &str, file_name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("kind", "linkedin"), ("tier", "casual")] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

/// The confirmation form's token in an import preview page.
pub fn token_in(page: &str) -> String {
    let pat = "name=\"token\" value=\"";
    let at = page.find(pat).expect("a confirmation form");
    page[at + pat.len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}
