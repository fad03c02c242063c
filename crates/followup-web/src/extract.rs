//! The API's extractors: axum's `Json`, `Path`, `Query` and `Bytes`, whose rejections become
//! the API's `{status, message}` naming the part of the request that was wrong.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::{Json, body::Bytes};
use serde::de::DeserializeOwned;

use crate::WebError;

/// A JSON request body.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(WebError::from(e).into_json()),
        }
    }
}

/// The request body as bytes (an imported file).
pub struct ApiBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match Bytes::from_request(req, state).await {
            Ok(b) => Ok(ApiBytes(b)),
            Err(e) => Err(WebError::from(e).into_json()),
        }
    }
}

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(path_error(parts.uri.path(), &e).into_json()),
        }
    }
}

fn path_error(path: &str, e: &PathRejection) -> WebError {
    use axum::extract::path::ErrorKind;
    let text = e.body_text();
    let detail = match e {
        PathRejection::FailedToDeserializePathParams(f) => match f.kind() {
            ErrorKind::ParseErrorAtKey {
                value,
                expected_type,
                ..
            }
            | ErrorKind::ParseErrorAtIndex {
                value,
                expected_type,
                ..
            }
            | ErrorKind::ParseError {
                value,
                expected_type,
            } if expected_type.starts_with('i') || expected_type.starts_with('u') => {
                format!("expected a number (an id), found {value:?}")
            }
            _ => text
                .strip_prefix("Invalid URL: ")
                .unwrap_or(&text)
                .to_string(),
        },
        _ => text,
    };
    // Nested under /api/v1, the router shows the path without its prefix.
    WebError::new(e.status(), format!("path /api/v1{path}: {detail}"))
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(WebError::from(e).into_json()),
        }
    }
}
