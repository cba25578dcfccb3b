-- Rows kept out of the warehouse, each with where it came from and why: nothing is dropped silently.
SELECT
    'register' AS source_kind,
    source_file,
    line_no,
    event_id AS record_id,
    problem.column AS column_name,
    problem.reason AS reason,
    raw_record
FROM stg_register_rows, unnest(problems) AS t(problem)
UNION ALL
SELECT
    'statement' AS source_kind,
    source_file,
    line_no,
    statement_id AS record_id,
    problem.column AS column_name,
    problem.reason AS reason,
    raw_record
FROM stg_statement_rows, unnest(problems) AS t(problem)
UNION ALL
SELECT
    'trade' AS source_kind,
    source_file,
    line_no,
    record_id,
    problem.column AS column_name,
    problem.reason AS reason,
    NULL AS raw_record
FROM stg_trade_rows, unnest(problems) AS t(problem)
UNION ALL
SELECT
    'search_log' AS source_kind,
    source_file,
    line_no,
    concat_ws(' ', register, series, year) AS record_id,
    problem.column AS column_name,
    problem.reason AS reason,
    raw_record
FROM stg_search_log, unnest(problems) AS t(problem)
UNION ALL
SELECT
    'event_sources' AS source_kind,
    source_file,
    line_no,
    event_id AS record_id,
    problem.column AS column_name,
    problem.reason AS reason,
    raw_record
FROM stg_event_sources, unnest(problems) AS t(problem)
UNION ALL
SELECT
    'trade' AS source_kind,
    source_file,
    line_no,
    record_id,
    problem.column AS column_name,
    problem.reason AS reason,
    NULL AS raw_record
FROM stg_eidb_rows, unnest(problems) AS t(problem)
ORDER BY source_kind, source_file, line_no, record_id, column_name
