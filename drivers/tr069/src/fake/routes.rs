//! The fake NBI's request handling, routed by hand on the raw path as `lib/nbi.ts` does with
//! its route patterns (`[a-zA-Z0-9\-_%]+` for ids, so other characters must be encoded).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::{CpeBehaviour, NbiState};
use crate::parse::{nbi_timestamp, percent_decode};

type Shared = Arc<Mutex<NbiState>>;

/// GenieACS's own default wait for a session when `timeout` is not given
/// (`DEVICE_ONLINE_THRESHOLD` is longer; tests want it short).
const DEFAULT_SESSION_WAIT: Duration = Duration::from_secs(4);

pub(super) fn router(state: Shared) -> Router {
    Router::new().fallback(handle).with_state(state)
}

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, NbiState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn reply(status: StatusCode, body: impl Into<Body>) -> Response {
    Response::builder()
        .status(status)
        .header("GenieACS-Version", "1.2.13")
        .body(body.into())
        .unwrap_or_default()
}

fn json_reply(status: StatusCode, value: &Value) -> Response {
    let mut response = reply(status, value.to_string());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'%')
}

/// The decoded query parameters; a parameter without `=` has an empty value.
fn query_params(uri: &Uri) -> Option<Vec<(String, String)>> {
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(key, true)?, percent_decode(value, true)?))
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.as_str())
}

async fn handle(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    {
        let mut nbi = lock(&state);
        nbi.requests.push(format!(
            "{method} {}",
            uri.path_and_query().map_or("", |p| p.as_str())
        ));
        if let Some(expected) = &nbi.authorization {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok());
            if given != Some(expected.as_str()) {
                let mut response = reply(StatusCode::UNAUTHORIZED, "Unauthorized");
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Basic realm=\"GenieACS\""),
                );
                return response;
            }
        }
    }
    let Some(params) = query_params(&uri) else {
        return reply(StatusCode::BAD_REQUEST, "URIError: URI malformed");
    };
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["devices", id, "tasks"] | ["devices", id, "tasks", ""] if is_id(id) => {
            if method != Method::POST {
                return reply(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed");
            }
            let Some(device) = percent_decode(id, false) else {
                return reply(StatusCode::BAD_REQUEST, "URIError: URI malformed");
            };
            post_task(&state, device, &params, &body).await
        }
        ["tasks", id] if is_id(id) => {
            if method != Method::DELETE {
                return reply(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed");
            }
            delete_task(&state, id)
        }
        [collection] | [collection, ""]
            if !collection.is_empty()
                && collection
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            if method != Method::GET {
                return reply(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed");
            }
            query(&state, collection, &params)
        }
        _ => reply(StatusCode::NOT_FOUND, "404 Not Found"),
    }
}

async fn post_task(
    state: &Shared,
    device: String,
    params: &[(String, String)],
    body: &[u8],
) -> Response {
    if body.is_empty() {
        return reply(StatusCode::BAD_REQUEST, "");
    }
    let mut task: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(task)) => task,
        Ok(_) => return reply(StatusCode::BAD_REQUEST, "TypeError: task is not an object"),
        Err(error) => return reply(StatusCode::BAD_REQUEST, format!("SyntaxError: {error}")),
    };
    let behaviour = {
        let mut nbi = lock(state);
        let Some(cpe) = nbi.devices.get(&device) else {
            return reply(StatusCode::NOT_FOUND, "No such device");
        };
        let behaviour = cpe.behaviour.clone();
        nbi.next_task += 1;
        let id = format!("{:08x}{:016x}", 0x6571_0000_u32, nbi.next_task);
        task.insert("device".into(), json!(device));
        task.insert(
            "timestamp".into(),
            json!(nbi_timestamp(OffsetDateTime::now_utc())),
        );
        task.insert("_id".into(), json!(id));
        nbi.tasks.push(Value::Object(task.clone()));
        behaviour
    };
    let task = Value::Object(task);
    if param(params, "connection_request").is_none() {
        return json_reply(StatusCode::ACCEPTED, &task);
    }
    let session_wait = param(params, "timeout")
        .and_then(|ms| ms.parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .map_or(DEFAULT_SESSION_WAIT, Duration::from_millis);
    match behaviour {
        CpeBehaviour::Offline => {
            // No session starts within the timeout: "Task queued but not processed".
            tokio::time::sleep(session_wait).await;
            json_reply(StatusCode::ACCEPTED, &task)
        }
        CpeBehaviour::Faults {
            fault_code,
            fault_string,
        } => {
            let mut nbi = lock(state);
            let channel = format!("task_{}", task["_id"].as_str().unwrap_or_default());
            nbi.faults.push(json!({
                "_id": format!("{device}:{channel}"),
                "device": device,
                "channel": channel,
                "timestamp": nbi_timestamp(OffsetDateTime::now_utc()),
                "provisions": [],
                "retries": 0,
                "code": format!("cwmp.{fault_code}"),
                "message": fault_string,
                "detail": { "faultCode": fault_code.to_string(), "faultString": fault_string },
            }));
            touch_inform(&mut nbi, &device);
            json_reply(StatusCode::ACCEPTED, &task)
        }
        CpeBehaviour::Reboots { back_after } => {
            run_task(state, &device, &task);
            let state = state.clone();
            tokio::spawn(async move {
                tokio::time::sleep(back_after).await;
                let now = OffsetDateTime::now_utc();
                if let Some(cpe) = lock(&state).devices.get_mut(&device) {
                    cpe.last_boot = now;
                    cpe.last_inform = now;
                }
            });
            json_reply(StatusCode::OK, &task)
        }
        CpeBehaviour::NeverReturns => {
            run_task(state, &device, &task);
            json_reply(StatusCode::OK, &task)
        }
    }
}

/// The CPE's session ran the task: it leaves the queue.
fn run_task(state: &Shared, device: &str, task: &Value) {
    let mut nbi = lock(state);
    nbi.tasks.retain(|queued| queued["_id"] != task["_id"]);
    touch_inform(&mut nbi, device);
}

fn touch_inform(nbi: &mut NbiState, device: &str) {
    if let Some(cpe) = nbi.devices.get_mut(device) {
        cpe.last_inform = OffsetDateTime::now_utc();
    }
}

fn delete_task(state: &Shared, raw_id: &str) -> Response {
    let id = percent_decode(raw_id, false).unwrap_or_default();
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        // `new ObjectId(taskId)` throws and the NBI answers 500.
        return reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            "BSONTypeError: Argument passed in must be a string of 12 bytes or a string of 24 hex characters",
        );
    }
    let mut nbi = lock(state);
    let Some(at) = nbi.tasks.iter().position(|task| task["_id"] == id.as_str()) else {
        return reply(StatusCode::NOT_FOUND, "Task not found");
    };
    let task = nbi.tasks.remove(at);
    let fault_id = format!("{}:task_{id}", task["device"].as_str().unwrap_or_default());
    nbi.faults.retain(|fault| fault["_id"] != fault_id.as_str());
    reply(StatusCode::OK, "")
}

fn query(state: &Shared, collection: &str, params: &[(String, String)]) -> Response {
    let filter: Map<String, Value> = match param(params, "query") {
        None | Some("") => Map::new(),
        Some(text) => match serde_json::from_str(text) {
            Ok(Value::Object(filter)) => filter,
            Ok(_) => Map::new(),
            Err(error) => return reply(StatusCode::BAD_REQUEST, format!("SyntaxError: {error}")),
        },
    };
    let projection: Option<Vec<String>> = param(params, "projection").map(|list| {
        list.split(',')
            .map(|field| field.trim().to_owned())
            .collect()
    });
    let nbi = lock(state);
    let items: Vec<Value> = match collection {
        "devices" => nbi
            .devices
            .iter()
            .map(|(id, cpe)| {
                json!({
                    "_id": id,
                    "_lastBoot": nbi_timestamp(cpe.last_boot),
                    "_lastInform": nbi_timestamp(cpe.last_inform),
                })
            })
            .collect(),
        "tasks" => nbi.tasks.clone(),
        "faults" => nbi.faults.clone(),
        "presets" | "objects" | "files" | "provisions" | "virtual_parameters" => Vec::new(),
        _ => return reply(StatusCode::NOT_FOUND, "404 Not Found"),
    };
    let matching: Vec<String> = items
        .into_iter()
        .filter(|item| filter.iter().all(|(key, value)| &item[key] == value))
        .map(|item| project(item, projection.as_deref()).to_string())
        .collect();
    let mut response = reply(StatusCode::OK, format!("[\n{}\n]", matching.join(",\n")));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    headers.insert("total", header::HeaderValue::from(matching.len()));
    response
}

/// Keeps `_id` and the listed fields, as a MongoDB projection does.
fn project(item: Value, fields: Option<&[String]>) -> Value {
    let (Some(fields), Value::Object(map)) = (fields, &item) else {
        return item;
    };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(key, _)| *key == "_id" || fields.iter().any(|field| field == *key))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Value::Object(kept)
}
