-- Every row of the statements register typed, with the problems that keep it out of `statements`
-- (an empty list when none). Statements are what the two governments say, not events: they never
-- reach `events`, and they are evidence only for the commitments a reader mapped them to.
WITH allowed AS (
    SELECT
        (SELECT list(value) FROM vocabularies WHERE field = 'issuer') AS issuers,
        (SELECT list(value) FROM vocabularies WHERE field = 'document_type') AS document_types,
        (SELECT list(commitment_id) FROM commitments) AS commitment_codes
),
typed AS (
    SELECT
        r.*,
        try_strptime(r.document_date, '%Y-%m-%d')::DATE AS document_on,
        try_strptime(r.retrieved_date, '%Y-%m-%d')::DATE AS retrieved_on,
        list_transform(string_split(coalesce(r.commitment_ids, ''), ';'), lambda x: trim(x))
            .list_filter(lambda x: x <> '') AS commitment_list,
        -- the 40-word limit keeps quotation within fair use
        len(string_split_regex(trim(coalesce(r.passage, '')), '\s+')) AS passage_words,
        a.*
    FROM raw_statements AS r, allowed AS a
),
ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY statement_id ORDER BY source_file, line_no) AS id_rank,
        first_value(source_file || ':' || line_no) OVER (
            PARTITION BY statement_id ORDER BY source_file, line_no) AS id_first_at
    FROM typed
),
checked AS (
    SELECT
        *,
        CASE WHEN load_error IS NOT NULL THEN [{'column': NULL::VARCHAR, 'reason': load_error}]
        ELSE list_filter([
            CASE WHEN statement_id IS NULL THEN {'column': 'statement_id', 'reason': 'missing'}
                 WHEN NOT regexp_full_match(statement_id, 'ST-[0-9]{4}-[0-9]{2}-[0-9]{2}-[A-Z0-9]+(-[A-Z0-9]+)*')
                     THEN {'column': 'statement_id', 'reason': 'not of the form ST-YYYY-MM-DD-SLUG'}
                 WHEN id_rank > 1
                     THEN {'column': 'statement_id', 'reason': 'duplicate statement_id, first at ' || id_first_at}
                 WHEN document_on IS NOT NULL AND substr(statement_id, 4, 10) <> strftime(document_on, '%Y-%m-%d')
                     THEN {'column': 'statement_id', 'reason': 'date in the id differs from document_date'} END,
            CASE WHEN document_title IS NULL THEN {'column': 'document_title', 'reason': 'missing'} END,
            CASE WHEN document_date IS NULL THEN {'column': 'document_date', 'reason': 'missing'}
                 WHEN document_on IS NULL
                     THEN {'column': 'document_date', 'reason': 'unparseable or impossible YYYY-MM-DD date: ' || document_date}
                 WHEN document_on < DATE '1990-01-01'
                     THEN {'column': 'document_date', 'reason': 'before 1990'}
                 WHEN document_on > current_date
                     THEN {'column': 'document_date', 'reason': 'in the future'} END,
            CASE WHEN issuer IS NULL OR NOT list_contains(issuers, issuer)
                THEN {'column': 'issuer', 'reason': 'must be one of ' || array_to_string(issuers, ', ')} END,
            CASE WHEN document_type IS NULL OR NOT list_contains(document_types, document_type)
                THEN {'column': 'document_type', 'reason': 'must be one of ' || array_to_string(document_types, ', ')} END,
            CASE WHEN source_url IS NULL THEN {'column': 'source_url', 'reason': 'missing'}
                 WHEN NOT regexp_full_match(source_url, 'https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:[0-9]+)?([/?#][^\s<>"]*)?')
                     THEN {'column': 'source_url', 'reason': 'not an https URL'} END,
            CASE WHEN source_title IS NULL THEN {'column': 'source_title', 'reason': 'missing'} END,
            CASE WHEN passage IS NULL THEN {'column': 'passage', 'reason': 'missing'}
                 WHEN passage_words > 40
                     THEN {'column': 'passage', 'reason': 'longer than 40 words (' || passage_words || ')'} END,
            CASE WHEN len(commitment_list) = 0 THEN {'column': 'commitment_ids', 'reason': 'missing'}
                 WHEN len(list_filter(commitment_list, lambda c: NOT list_contains(commitment_codes, c))) > 0
                     THEN {'column': 'commitment_ids', 'reason': 'unknown commitment id(s): '
                         || array_to_string(list_filter(commitment_list, lambda c: NOT list_contains(commitment_codes, c)), ', ')} END,
            CASE WHEN retrieved_on IS NULL
                     THEN {'column': 'retrieved_date', 'reason': 'missing or not a YYYY-MM-DD date'}
                 WHEN retrieved_on > current_date
                     THEN {'column': 'retrieved_date', 'reason': 'in the future'} END
        ], lambda p: p IS NOT NULL) END AS problems
    FROM ranked
)
SELECT
    source_file, line_no, statement_id, document_title, document_on AS document_date, issuer,
    document_type, source_url, source_title, source_title_en, passage, passage_words,
    list_sort(list_distinct(commitment_list)) AS commitment_ids, retrieved_on AS retrieved_date, notes,
    raw_record, problems
FROM checked
