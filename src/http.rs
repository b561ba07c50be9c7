//! The one HTTP client of hako (registries, dumb-HTTP mirrors): an agent
//! that follows no redirect by itself, and a GET that follows them here,
//! where the rules are hako's: only to http:// and https://, at most
//! `MAX_REDIRECTS` times, and credentials only to the host they were meant
//! for. (ureq 2 follows a redirect to `file://` into a panic.)

use std::time::Duration;

/// Redirects followed by one GET before it fails.
pub const MAX_REDIRECTS: usize = 8;

/// Why a GET gave no successful response.
pub enum Failure {
    /// The server answered with an error status (4xx, 5xx).
    Status(u16, Box<ureq::Response>),
    /// No usable answer: the message, and whether trying again may help.
    Transport { message: String, transient: bool },
}

/// An agent with hako's timeouts and user agent, redirects left to `get`.
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(15))
        .timeout_read(Duration::from_secs(60))
        .redirects(0)
        .user_agent(concat!("hako/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A request's outcome as a response or the `Failure` it is.
pub fn answer(r: Result<ureq::Response, ureq::Error>) -> Result<ureq::Response, Failure> {
    match r {
        Ok(r) => Ok(r),
        Err(ureq::Error::Status(code, r)) => Err(Failure::Status(code, Box::new(r))),
        Err(ureq::Error::Transport(t)) => Err(Failure::Transport {
            message: t
                .message()
                .map(String::from)
                .unwrap_or_else(|| t.kind().to_string()),
            transient: t.kind() != ureq::ErrorKind::Dns,
        }),
    }
}

/// POST `form` (application/x-www-form-urlencoded) to `url`; redirects are
/// not followed (a form may hold a secret).
pub fn post_form(
    agent: &ureq::Agent,
    url: &str,
    form: &[(&str, &str)],
) -> Result<ureq::Response, Failure> {
    answer(agent.post(url).send_form(form))
}

/// GET `url` with `headers`, following redirects (301, 302, 303, 307, 308)
/// to http(s) URLs only; an `Authorization` header goes to the first URL's
/// host and port only.
pub fn get(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<ureq::Response, Failure> {
    let refused = |message: String| Failure::Transport {
        message,
        transient: false,
    };
    let mut here = url::Url::parse(url).map_err(|e| refused(format!("bad URL '{url}': {e}")))?;
    let origin = here.origin();
    for _ in 0..=MAX_REDIRECTS {
        let mut req = agent.request_url("GET", &here);
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("Authorization") && here.origin() != origin {
                continue;
            }
            req = req.set(k, v);
        }
        let resp = answer(req.call())?;
        if !matches!(resp.status(), 301 | 302 | 303 | 307 | 308) {
            return Ok(resp);
        }
        let location = resp.header("Location").ok_or_else(|| {
            refused(format!(
                "{here}: redirect ({}) without a Location",
                resp.status()
            ))
        })?;
        let next = here
            .join(location)
            .map_err(|e| refused(format!("{here}: bad redirect Location '{location}': {e}")))?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(refused(format!(
                "{here}: redirect to '{next}' refused (only http:// and https:// are followed)"
            )));
        }
        here = next;
    }
    Err(refused(format!(
        "{url}: more than {MAX_REDIRECTS} redirects"
    )))
}
