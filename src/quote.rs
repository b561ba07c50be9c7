//! Paths as line-oriented output shows them.
#![warn(missing_docs)]

/// Quote a path for line-oriented output, as git does: names with control
/// characters, `"` or `\\` are C-quoted in double quotes; others print as is.
pub fn quote_path(name: &[u8]) -> String {
    // A name that is not UTF-8 is quoted too: its other bytes become octal.
    let needs = name
        .iter()
        .any(|&c| c < 0x20 || c == b'"' || c == b'\\' || c == 0x7f)
        || std::str::from_utf8(name).is_err();
    if !needs {
        return String::from_utf8_lossy(name).into_owned();
    }
    let mut s = String::from("\"");
    for &c in name {
        match c {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            c if !(0x20..0x7f).contains(&c) => s.push_str(&format!("\\{c:03o}")),
            c => s.push(c as char),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::quote_path;

    #[test]
    fn plain_names_print_as_is_others_are_c_quoted() {
        assert_eq!(quote_path(b"a/b c.txt"), "a/b c.txt");
        assert_eq!(quote_path(b"tab\there"), "\"tab\\there\"");
        assert_eq!(quote_path(b"q\"\\"), "\"q\\\"\\\\\"");
        assert_eq!(quote_path(b"\xff\n"), "\"\\377\\n\"");
    }
}
