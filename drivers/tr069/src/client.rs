//! `NbiClient`: the HTTP requests netops makes to a GenieACS NBI, each bounded in time, with
//! status codes mapped as GenieACS sends them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};

use crate::error::Tr069Error;
use crate::fault::CpeFault;
use crate::parse::{self, encode_path_segment, BootRecord, CpeId, QueuedTask, TaskId};

/// How long a query or a delete may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Added to the connection request timeout for a task post: GenieACS answers only after the
/// CPE's session has ended.
pub const SESSION_ALLOWANCE: Duration = Duration::from_secs(20);
/// How much of an unexpected answer's body an error quotes.
const QUOTED_BODY_CHARS: usize = 200;

/// Credentials for the NBI (GenieACS itself has none; a reverse proxy in front usually does).
/// `Debug` hides the secret parts.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum NbiAuth {
    #[default]
    None,
    Basic {
        user: String,
        password: String,
    },
    Bearer(String),
}

impl fmt::Debug for NbiAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Basic { user, .. } => write!(f, "Basic({user:?}, ***)"),
            Self::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// An NBI base URL (`http://acs.example.net:7557`), its credentials, and for `https` an
/// optional private CA trusted besides the system's roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NbiEndpoint {
    base: Url,
    auth: NbiAuth,
    ca_file: Option<PathBuf>,
}

impl NbiEndpoint {
    pub fn parse(text: &str, auth: NbiAuth) -> Result<Self, Tr069Error> {
        let bad = |reason: &str| Tr069Error::BadUrl {
            url: text.to_owned(),
            reason: reason.to_owned(),
        };
        let mut base = Url::parse(text.trim()).map_err(|error| bad(&error.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        if base.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(bad("it must not have a query or fragment"));
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(bad(
                "put credentials in username and password_file, not in the URL",
            ));
        }
        let path = base.path().trim_end_matches('/').to_owned();
        base.set_path(&path);
        Ok(Self {
            base,
            auth,
            ca_file: None,
        })
    }

    /// Also trusts the CA certificates in the PEM file `ca_file` (read when a client is made).
    pub fn with_ca_file(mut self, ca_file: &Path) -> Self {
        self.ca_file = Some(ca_file.to_owned());
        self
    }

    /// The URL without credentials, e.g. `http://127.0.0.1:7557`.
    pub fn url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }
}

/// What `POST /devices/<id>/tasks?connection_request` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskPosted {
    /// 200: the CPE ran the task in the session the connection request started.
    Done(QueuedTask),
    /// 202: the task is in the queue (the CPE did not answer, or it faulted).
    Queued(QueuedTask),
}

/// What `DELETE /tasks/<id>` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    Deleted,
    /// 404 "Task not found": the CPE took it meanwhile, or it was deleted already.
    AlreadyGone,
}

/// A client for one NBI.
#[derive(Debug, Clone)]
pub struct NbiClient {
    http: reqwest::Client,
    endpoint: NbiEndpoint,
}

struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

impl NbiClient {
    pub fn new(endpoint: NbiEndpoint) -> Result<Self, Tr069Error> {
        let mut builder = reqwest::Client::builder().connect_timeout(REQUEST_TIMEOUT);
        if let Some(path) = &endpoint.ca_file {
            let bad = |reason: String| Tr069Error::BadCaFile {
                path: path.clone(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|error| bad(error.to_string()))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|error| bad(error.to_string()))?;
            if certificates.is_empty() {
                return Err(bad("it holds no PEM certificate".to_owned()));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder.build().map_err(|error| Tr069Error::Unreachable {
            url: endpoint.url().to_owned(),
            reason: format!("cannot set up the HTTP client: {error}"),
        })?;
        Ok(Self { http, endpoint })
    }

    pub fn endpoint(&self) -> &NbiEndpoint {
        &self.endpoint
    }

    /// `GET /devices/?query={"_id":<cpe>}&projection=_lastBoot,_lastInform`.
    pub async fn boot_record(&self, cpe: &CpeId) -> Result<BootRecord, Tr069Error> {
        let query = serde_json::json!({ "_id": cpe.as_str() }).to_string();
        let url = self.url(
            "/devices/",
            &[("query", &query), ("projection", "_lastBoot,_lastInform")],
        );
        let answer = self.send(Method::GET, url, None, REQUEST_TIMEOUT).await?;
        match answer.status {
            StatusCode::OK => parse::parse_boot_record(&answer.body, cpe),
            _ => Err(unexpected("the device query", &answer)),
        }
    }

    /// `POST /devices/<cpe>/tasks?timeout=<ms>&connection_request` with `task`.
    pub async fn post_task(
        &self,
        cpe: &CpeId,
        task: &serde_json::Value,
        connection_request_timeout: Duration,
    ) -> Result<TaskPosted, Tr069Error> {
        let mut url = self.base_path(&format!(
            "/devices/{}/tasks",
            encode_path_segment(cpe.as_str())
        ));
        url.set_query(Some(&format!(
            "timeout={}&connection_request",
            connection_request_timeout.as_millis()
        )));
        let answer = self
            .send(
                Method::POST,
                url,
                Some(task.to_string()),
                connection_request_timeout + SESSION_ALLOWANCE,
            )
            .await?;
        match answer.status {
            StatusCode::OK => Ok(TaskPosted::Done(parse::parse_task(&answer.body)?)),
            StatusCode::ACCEPTED => Ok(TaskPosted::Queued(parse::parse_task(&answer.body)?)),
            StatusCode::NOT_FOUND => Err(Tr069Error::NoSuchDevice {
                cpe: cpe.as_str().to_owned(),
            }),
            _ => Err(unexpected("the task post", &answer)),
        }
    }

    /// `DELETE /tasks/<id>`; GenieACS deletes the task's fault with it.
    pub async fn delete_task(&self, task: &TaskId) -> Result<Withdrawal, Tr069Error> {
        let url = self.base_path(&format!("/tasks/{}", task.as_str()));
        let answer = self
            .send(Method::DELETE, url, None, REQUEST_TIMEOUT)
            .await?;
        match answer.status {
            StatusCode::OK => Ok(Withdrawal::Deleted),
            StatusCode::NOT_FOUND => Ok(Withdrawal::AlreadyGone),
            _ => Err(unexpected("the task delete", &answer)),
        }
    }

    /// `GET /faults/?query={"device":<cpe>}`, the fault recorded for `task` if any.
    pub async fn task_fault(
        &self,
        cpe: &CpeId,
        task: &TaskId,
    ) -> Result<Option<CpeFault>, Tr069Error> {
        let query = serde_json::json!({ "device": cpe.as_str() }).to_string();
        let url = self.url("/faults/", &[("query", &query)]);
        let answer = self.send(Method::GET, url, None, REQUEST_TIMEOUT).await?;
        match answer.status {
            StatusCode::OK => parse::parse_task_fault(&answer.body, task),
            _ => Err(unexpected("the fault query", &answer)),
        }
    }

    /// `GET /tasks/?query={"device":<cpe>,"name":<name>}`: the CPE's queued tasks of a kind.
    pub async fn queued_tasks(
        &self,
        cpe: &CpeId,
        name: &str,
    ) -> Result<Vec<QueuedTask>, Tr069Error> {
        let query = serde_json::json!({ "device": cpe.as_str(), "name": name }).to_string();
        let url = self.url("/tasks/", &[("query", &query)]);
        let answer = self.send(Method::GET, url, None, REQUEST_TIMEOUT).await?;
        match answer.status {
            StatusCode::OK => parse::parse_tasks(&answer.body),
            _ => Err(unexpected("the task query", &answer)),
        }
    }

    fn base_path(&self, path: &str) -> Url {
        let mut url = self.endpoint.base.clone();
        let joined = format!("{}{path}", url.path().trim_end_matches('/'));
        url.set_path(&joined);
        url
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base_path(path);
        url.query_pairs_mut().extend_pairs(query);
        url
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<String>,
        timeout: Duration,
    ) -> Result<Answer, Tr069Error> {
        let shown = self.endpoint.url().to_owned();
        let mut request = self.http.request(method, url).timeout(timeout);
        request = match &self.endpoint.auth {
            NbiAuth::None => request,
            NbiAuth::Basic { user, password } => request.basic_auth(user, Some(password)),
            NbiAuth::Bearer(token) => request.bearer_auth(token),
        };
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let failed = |error: reqwest::Error| {
            if error.is_timeout() {
                Tr069Error::Timeout {
                    url: shown.clone(),
                    within: timeout,
                }
            } else {
                Tr069Error::Unreachable {
                    url: shown.clone(),
                    reason: error_chain(&error),
                }
            }
        };
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(Tr069Error::Unauthorized {
                url: shown,
                status: status.as_u16(),
            });
        }
        let body = response.bytes().await.map_err(failed)?.to_vec();
        Ok(Answer { status, body })
    }
}

fn unexpected(what: &'static str, answer: &Answer) -> Tr069Error {
    let text = String::from_utf8_lossy(&answer.body);
    Tr069Error::UnexpectedStatus {
        what,
        status: answer.status.as_u16(),
        body: text.trim().chars().take(QUOTED_BODY_CHARS).collect(),
    }
}

/// The error and its sources in one line ("error sending request: connection refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{NbiAuth, NbiEndpoint};

    fn check(text: &str, expected: Result<&str, &str>) {
        let got = NbiEndpoint::parse(text, NbiAuth::None)
            .map(|endpoint| endpoint.url().to_owned())
            .map_err(|error| error.to_string());
        assert_eq!(
            got,
            expected.map(str::to_owned).map_err(str::to_owned),
            "{text}"
        );
    }

    #[test]
    fn endpoints() {
        check("http://127.0.0.1:7557", Ok("http://127.0.0.1:7557"));
        check(
            "https://acs.example.net/nbi/",
            Ok("https://acs.example.net/nbi"),
        );
        check(
            "ftp://acs.example.net",
            Err("\"ftp://acs.example.net\" is not a usable NBI URL: the scheme must be http or https"),
        );
        check(
            "http://admin:pw@acs.example.net",
            Err("\"http://admin:pw@acs.example.net\" is not a usable NBI URL: put credentials in username and password_file, not in the URL"),
        );
        check(
            "http://acs.example.net/?x=1",
            Err("\"http://acs.example.net/?x=1\" is not a usable NBI URL: it must not have a query or fragment"),
        );
        check(
            "acs.example.net:7557",
            Err("\"acs.example.net:7557\" is not a usable NBI URL: the scheme must be http or https"),
        );
    }

    #[test]
    fn credentials_do_not_print() {
        let basic = NbiAuth::Basic {
            user: "netops".into(),
            password: "hunter2".into(),
        };
        assert_eq!(format!("{basic:?}"), "Basic(\"netops\", ***)");
        assert_eq!(
            format!("{:?}", NbiAuth::Bearer("t0k3n".into())),
            "Bearer(***)"
        );
    }
}
