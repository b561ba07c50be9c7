//! Identities (`name <email> seconds tz`) and where they come from.
#![warn(missing_docs)]

use std::fmt;

use crate::error::{Error, Result};

/// Who did something, and when: `name <email> seconds tz`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The name.
    pub name: String,
    /// The email.
    pub email: String,
    /// Seconds since the epoch.
    pub seconds: i64,
    /// Offset from UTC in minutes.
    pub tz_minutes: i32,
}

impl Signature {
    /// Parse `name <email> seconds tz`.
    pub fn parse(s: &str) -> Result<Signature> {
        let bad = || Error::MalformedIdentity(s.to_string());
        let lt = s.find('<').ok_or_else(bad)?;
        let gt = s[lt..].find('>').ok_or_else(bad)? + lt;
        let name = s[..lt].strip_suffix(' ').ok_or_else(bad)?;
        let email = &s[lt + 1..gt];
        let rest = s[gt + 1..].strip_prefix(' ').ok_or_else(bad)?;
        let (secs, tz) = rest.split_once(' ').ok_or_else(bad)?;
        let seconds: i64 = secs.parse().map_err(|_| bad())?;
        let tz_minutes = parse_tz(tz).ok_or_else(bad)?;
        if name.contains(['<', '>', '\n']) || email.contains(['<', '>', '\n']) {
            return Err(bad());
        }
        Ok(Signature {
            name: name.to_string(),
            email: email.to_string(),
            seconds,
            tz_minutes,
        })
    }

    /// The offset as `+HHMM` or `-HHMM`.
    pub fn tz_string(&self) -> String {
        let sign = if self.tz_minutes < 0 { '-' } else { '+' };
        let m = self.tz_minutes.abs();
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }

    /// Build from explicit parts, validating the name and email.
    pub fn new(name: &str, email: &str, seconds: i64, tz_minutes: i32) -> Result<Signature> {
        let name = name.trim();
        if name.contains(['<', '>', '\n']) || email.contains(['<', '>', '\n']) {
            return Err(Error::InvalidIdentity {
                name: name.to_string(),
                email: email.to_string(),
            });
        }
        Ok(Signature {
            name: name.to_string(),
            email: email.to_string(),
            seconds,
            tz_minutes,
        })
    }

    /// RFC-2822-like date for display: `Tue Nov 14 22:13:20 2023 +0000`.
    pub fn date_string(&self) -> String {
        let t = self.seconds + self.tz_minutes as i64 * 60;
        let days = t.div_euclid(86400);
        let secs = t.rem_euclid(86400);
        let (y, mo, d) = civil_from_days(days);
        let wd = (days + 4).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
        const WD: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MO: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!(
            "{} {} {} {:02}:{:02}:{:02} {} {}",
            WD[wd],
            MO[(mo - 1) as usize],
            d,
            secs / 3600,
            secs % 3600 / 60,
            secs % 60,
            y,
            self.tz_string()
        )
    }
}

/// (year, month, day) of the day `z` days after 1970-01-01 (Howard
/// Hinnant's civil-from-days algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn parse_tz(tz: &str) -> Option<i32> {
    let b = tz.as_bytes();
    if b.len() != 5 || !(b[0] == b'+' || b[0] == b'-') || !b[1..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let h: i32 = tz[1..3].parse().ok()?;
    let m: i32 = tz[3..5].parse().ok()?;
    if m >= 60 {
        return None;
    }
    let v = h * 60 + m;
    Some(if b[0] == b'-' { -v } else { v })
}

/// Parse a date as given in `HAKO_AUTHOR_DATE`: `SECONDS TZ`, `@SECONDS [TZ]` or `SECONDS`.
pub(crate) fn parse_date(s: &str) -> Result<(i64, i32)> {
    let s = s.trim();
    let s = s.strip_prefix('@').unwrap_or(s);
    let (secs, tz) = match s.split_once(' ') {
        Some((a, b)) => (a, Some(b.trim())),
        None => (s, None),
    };
    let seconds: i64 = secs
        .parse()
        .map_err(|_| Error::InvalidDate(s.to_string()))?;
    let tz = match tz {
        Some(t) => parse_tz(t).ok_or_else(|| Error::InvalidTimezone(t.to_string()))?,
        None => 0,
    };
    Ok((seconds, tz))
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} <{}> {} {}",
            self.name,
            self.email,
            self.seconds,
            self.tz_string()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn roundtrip() {
        let s = "A U Thor <author@example.com> 1112911993 -0700";
        let sig = Signature::parse(s).unwrap();
        assert_eq!(sig.tz_minutes, -420);
        assert_eq!(sig.to_string(), s);
        assert!(Signature::parse("x <y> z +0000").is_err());
    }
    #[test]
    fn date() {
        let sig = Signature::parse("a <b> 1700000000 +0000").unwrap();
        assert_eq!(sig.date_string(), "Tue Nov 14 22:13:20 2023 +0000");
    }
}
