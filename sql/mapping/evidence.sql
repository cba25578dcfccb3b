-- The evidence ledger that every count reads: one row per (commitment, real event), each with its
-- rules, matched words, basis, confidence and review. Links an analyst rejected are left out
-- (they are in `evidence_rejected`), so they leave every count.
-- No ORDER BY: evidence_links is stored in the order (commitment_id, start_date, event_id), which is
-- unique per row, and DuckDB keeps insertion order through a filter (preserve_insertion_order, on
-- by default), so the rows come out in that order without sorting 10^6 rows again.
SELECT *
FROM evidence_links
WHERE review_status <> 'rejected'
