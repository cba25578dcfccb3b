-- materialized: view
-- The evidence ledger that every count reads: one row per (commitment, real event), each with its
-- rules, matched words, basis, confidence and review. Links an analyst rejected are left out
-- (they are in `evidence_rejected`), so they leave every count.
-- A view: a filter of evidence_links that drops a handful of rows, read in full by few steps; as
-- a table it was a second copy of the ledger, a second of writing at 10^6 links.
SELECT *
FROM evidence_links
WHERE review_status <> 'rejected'
