//! `--seeds SEEDS`: `1..20` (both ends included), `1,4,9`, or a mix (`1..5,9`), in the
//! order written, each seed once.

/// The most seeds one command may ask for.
pub const MAX_SEEDS: u64 = 1_000_000;

const EXPECTED: &str =
    "SEEDS as FIRST..LAST (both included, e.g. 1..20) or a comma-separated list (1,4,9)";

/// Parses SEEDS; the message says what is wrong.
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let mut seeds: Vec<u64> = Vec::new();
    for item in text.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(format!(
                "empty item in --seeds {text:?}; expected {EXPECTED}"
            ));
        }
        let number = |part: &str| {
            part.trim()
                .parse::<u64>()
                .map_err(|_| format!("{part:?} in --seeds {text:?} is not a seed (a whole number from 0 to {}); expected {EXPECTED}", u64::MAX))
        };
        let (first, last) = match item.split_once("..") {
            Some((first, last)) => {
                let last = last.strip_prefix('=').unwrap_or(last);
                (number(first)?, number(last)?)
            }
            None => {
                let seed = number(item)?;
                (seed, seed)
            }
        };
        if first > last {
            return Err(format!(
                "--seeds range {item:?} runs backwards; write {last}..{first}"
            ));
        }
        if (seeds.len() as u64)
            .saturating_add(last - first)
            .saturating_add(1)
            > MAX_SEEDS
        {
            return Err(format!(
                "--seeds {text:?} names more than {MAX_SEEDS} seeds"
            ));
        }
        seeds.extend(first..=last);
    }
    let mut sorted = seeds.clone();
    sorted.sort_unstable();
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(format!(
            "seed {} is named twice in --seeds {text:?}; each seed runs once",
            pair[0]
        ));
    }
    Ok(seeds)
}

/// The seeds in the shortest form `parse_seeds` reads back, for messages and files.
pub fn seeds_text(seeds: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut idx = 0;
    while idx < seeds.len() {
        let mut end = idx;
        while end + 1 < seeds.len() && seeds[end].checked_add(1) == Some(seeds[end + 1]) {
            end += 1;
        }
        if end - idx >= 2 {
            parts.push(format!("{}..{}", seeds[idx], seeds[end]));
            idx = end + 1;
        } else {
            parts.push(seeds[idx].to_string());
            idx += 1;
        }
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::{parse_seeds, seeds_text};

    #[test]
    fn ranges_lists_and_mixes() {
        assert_eq!(parse_seeds("1..5").unwrap(), [1, 2, 3, 4, 5]);
        assert_eq!(parse_seeds("1..=3").unwrap(), [1, 2, 3]);
        assert_eq!(parse_seeds("1,4,9").unwrap(), [1, 4, 9]);
        assert_eq!(parse_seeds("9, 4 ,1").unwrap(), [9, 4, 1]);
        assert_eq!(parse_seeds("7").unwrap(), [7]);
        assert_eq!(parse_seeds("1..3,10").unwrap(), [1, 2, 3, 10]);
        assert_eq!(parse_seeds("0..0").unwrap(), [0]);
    }

    #[test]
    fn bad_seeds_say_why() {
        assert!(parse_seeds("").unwrap_err().contains("empty item"));
        assert!(parse_seeds("1,,2").unwrap_err().contains("empty item"));
        assert!(parse_seeds("5..1").unwrap_err().contains("write 1..5"));
        assert!(parse_seeds("1..3,2")
            .unwrap_err()
            .contains("seed 2 is named twice"));
        assert!(parse_seeds("a..3").unwrap_err().contains("\"a\""));
        assert!(parse_seeds("-1").unwrap_err().contains("not a seed"));
        assert!(parse_seeds("0..99999999999")
            .unwrap_err()
            .contains("more than"));
    }

    #[test]
    fn seeds_are_written_back_compactly() {
        assert_eq!(seeds_text(&[1, 2, 3, 4, 5]), "1..5");
        assert_eq!(seeds_text(&[1, 4, 9]), "1,4,9");
        assert_eq!(seeds_text(&[1, 2, 7, 8, 9, 3]), "1,2,7..9,3");
        for text in ["1..20", "3,1,2", "5", "1,2,10..12"] {
            let seeds = parse_seeds(text).unwrap();
            assert_eq!(parse_seeds(&seeds_text(&seeds)).unwrap(), seeds);
        }
    }
}
