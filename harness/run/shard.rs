//! Deterministic sharding of an experiment's runs, balanced by estimated cost.
//!
//! Runs are taken largest cost first (ties broken by run id) and each goes to the
//! shard with the least cost so far (ties: the lowest shard index): the greedy
//! "longest processing time" rule, within 4/3 of the best possible makespan. It
//! depends only on run ids (config hashes and seeds) and costs, so reordering the
//! keys of the experiment file changes nothing.

/// `I/N`: shard I (0-based) of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected I/N, e.g. 0/4 (shards are numbered from 0)"))?;
        let index: usize = i
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: `{i}` is not a shard index"))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: `{n}` is not a shard count"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "`{s}`: the index must be in 0..{count} (shards are numbered from 0)"
            ));
        }
        Ok(Shard { index, count })
    }
}

/// Assigns each of `runs` (id, estimated cost) to one of `n` shards; returns, per
/// shard, the positions of its runs in `runs`, in ascending order.
pub fn partition(runs: &[(String, f64)], n: usize) -> Vec<Vec<usize>> {
    assert!(n > 0, "at least one shard");
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| {
        runs[b]
            .1
            .total_cmp(&runs[a].1)
            .then_with(|| runs[a].0.cmp(&runs[b].0))
    });
    let mut load = vec![0.0f64; n];
    let mut shards = vec![Vec::new(); n];
    for i in order {
        let s = (0..n)
            .min_by(|&x, &y| load[x].total_cmp(&load[y]).then(x.cmp(&y)))
            .expect("n > 0");
        load[s] += runs[i].1;
        shards[s].push(i);
    }
    for s in &mut shards {
        s.sort_unstable();
    }
    shards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_shards() {
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        assert!("5/5".parse::<Shard>().unwrap_err().contains("0..5"));
        assert!("1-3".parse::<Shard>().unwrap_err().contains("expected I/N"));
        assert!("0/0".parse::<Shard>().is_err());
    }

    #[test]
    fn balances_by_cost_not_count() {
        let runs: Vec<(String, f64)> =
            [("a", 10.0), ("b", 1.0), ("c", 1.0), ("d", 1.0), ("e", 7.0)]
                .iter()
                .map(|(k, c)| (k.to_string(), *c))
                .collect();
        let shards = partition(&runs, 2);
        // LPT: a (10) → 0; e (7) → 1; b, c, d (1 each) → 1 while it is lighter:
        // loads 10 and 10, which a split by count (3 + 2) could not reach.
        let loads: Vec<f64> = shards
            .iter()
            .map(|s| s.iter().map(|&i| runs[i].1).sum())
            .collect();
        assert_eq!(loads, vec![10.0, 10.0]);
        assert_eq!(shards, vec![vec![0], vec![1, 2, 3, 4]]);
    }
}
