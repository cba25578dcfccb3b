-- Passages of joint (or each-side) documents that speak to a commitment, one row per passage.
SELECT
    statement_id, document_title, document_date, issuer, document_type, source_url, source_title, source_title_en,
    passage, passage_words, commitment_ids, retrieved_date, notes, source_file, line_no
FROM stg_statement_rows
WHERE len(problems) = 0
ORDER BY document_date, statement_id
