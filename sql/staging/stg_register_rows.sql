-- Every register row typed, with the problems that keep it out of `events` (an empty list when
-- none), hand-entered and accepted from the press feeds alike. Dates follow date_precision
-- (day: YYYY-MM-DD, month: YYYY-MM, read as the 1st).
WITH received AS (
    SELECT 'exercises' AS family, * FROM raw_exercises
    UNION ALL BY NAME SELECT 'port_calls' AS family, * FROM raw_port_calls
    UNION ALL BY NAME SELECT 'rd_projects' AS family, * FROM raw_rd_projects
    UNION ALL BY NAME SELECT 'dialogues' AS family, * FROM raw_dialogues
    -- accepted press-feed candidates carry their own family
    UNION ALL BY NAME SELECT * FROM raw_accepted_candidates
),
allowed AS (
    SELECT
        (SELECT list(code) FROM participant_codes WHERE country = 'JP') AS japan_codes,
        (SELECT list(code) FROM participant_codes WHERE country = 'IN') AS india_codes,
        (SELECT list(value) FROM vocabularies WHERE field = 'host') AS hosts,
        (SELECT list(value) FROM vocabularies WHERE field = 'exercise_type') AS exercise_types,
        (SELECT list(value) FROM vocabularies WHERE field = 'domains') AS domain_values,
        (SELECT list(value) FROM vocabularies WHERE field = 'direction') AS directions,
        (SELECT list(value) FROM vocabularies WHERE field = 'service') AS services,
        (SELECT list(value) FROM vocabularies WHERE field = 'stage') AS stages,
        (SELECT list(value) FROM vocabularies WHERE field = 'mechanism') AS mechanisms
),
typed AS (
    SELECT
        r.*,
        CASE r.date_precision
            WHEN 'day' THEN try_strptime(r.start_date, '%Y-%m-%d')::DATE
            WHEN 'month' THEN try_strptime(r.start_date, '%Y-%m')::DATE
        END AS start_on,
        CASE r.date_precision
            WHEN 'day' THEN try_strptime(r.end_date, '%Y-%m-%d')::DATE
            WHEN 'month' THEN try_strptime(r.end_date, '%Y-%m')::DATE
        END AS end_on,
        try_strptime(r.published_date, '%Y-%m-%d')::DATE AS published_on,
        try_strptime(r.retrieved_date, '%Y-%m-%d')::DATE AS retrieved_on,
        -- a code repeated in the field counts once (first place kept)
        list_transform(string_split(coalesce(r.japan_participants, ''), ';'), lambda x: trim(x))
            .list_filter(lambda x: x <> '')
            .list_filter(lambda x, i: list_position(list_transform(string_split(coalesce(r.japan_participants, ''), ';'), lambda y: trim(y)).list_filter(lambda y: y <> ''), x) = i) AS japan_list,
        -- a code repeated in the field counts once (first place kept)
        list_transform(string_split(coalesce(r.india_participants, ''), ';'), lambda x: trim(x))
            .list_filter(lambda x: x <> '')
            .list_filter(lambda x, i: list_position(list_transform(string_split(coalesce(r.india_participants, ''), ';'), lambda y: trim(y)).list_filter(lambda y: y <> ''), x) = i) AS india_list,
        list_transform(string_split(coalesce(r.domains, ''), ';'), lambda x: trim(x))
            .list_filter(lambda x: x <> '') AS domain_list,
        -- letters and digits of any script: a Devanagari or Japanese name has a key too
        lower(regexp_replace(coalesce(r.name, ''), '[^\pL\pM\pN]', '', 'g')) AS name_key,
        -- letters only: "JIMEX 2025" and "JIMEX-25" share it
        lower(regexp_replace(coalesce(r.name, ''), '[^\pL\pM]', '', 'g')) AS letters_key,
        regexp_replace(coalesce(r.name, ''), '[^0-9]', '', 'g') AS digits_key,
        a.*
    FROM received AS r, allowed AS a
),
ranked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY event_id ORDER BY source_file, line_no) AS id_rank,
        first_value(source_file || ':' || line_no) OVER (
            PARTITION BY event_id ORDER BY source_file, line_no) AS id_first_at,
        row_number() OVER (
            PARTITION BY family, start_on, name_key ORDER BY source_file, line_no) AS event_rank,
        first_value(event_id) OVER (
            PARTITION BY family, start_on, name_key ORDER BY source_file, line_no) AS event_first_id,
        lag(event_id) OVER near AS near_id,
        lag(start_on) OVER near AS near_start,
        lag(name_key) OVER near AS near_name_key,
        lag(digits_key) OVER near AS near_digits
    FROM typed
    WINDOW near AS (PARTITION BY family, letters_key ORDER BY start_on, source_file, line_no)
),
checked AS (
    SELECT
        *,
        CASE WHEN load_error IS NOT NULL THEN [{'column': NULL::VARCHAR, 'reason': load_error}]
        ELSE list_filter([
            CASE WHEN event_id IS NULL THEN {'column': 'event_id', 'reason': 'missing'}
                 WHEN NOT regexp_full_match(event_id, '(EX|PC|RD|DL)-[0-9]{4}-[A-Z0-9]+(-[A-Z0-9]+)*')
                     THEN {'column': 'event_id', 'reason': 'not of the form EX|PC|RD|DL-YYYY-SLUG'}
                 WHEN left(event_id, 2) <> CASE family WHEN 'exercises' THEN 'EX'
                     WHEN 'port_calls' THEN 'PC' WHEN 'rd_projects' THEN 'RD' ELSE 'DL' END
                     THEN {'column': 'event_id', 'reason': 'prefix does not match the register'}
                 WHEN id_rank > 1
                     THEN {'column': 'event_id', 'reason': 'duplicate event_id, first at ' || id_first_at} END,
            CASE WHEN event_rank > 1 AND start_on IS NOT NULL AND name_key <> '' AND id_rank = 1
                THEN {'column': 'name', 'reason': 'same event as ' || event_first_id || ' (same name and start date)'} END,
            CASE WHEN letters_key <> '' AND near_id IS NOT NULL AND near_id <> event_id
                    AND start_on - near_start <= 1 AND NOT (start_on = near_start AND name_key = near_name_key)
                    -- the same number, or one abbreviating the other (2025 / 25); "Phase 1" / "Phase 2" differ
                    AND (ends_with(digits_key, near_digits) OR ends_with(near_digits, digits_key))
                THEN {'column': 'name', 'reason': 'probably the same event as ' || near_id
                    || ' (near-identical name, start dates at most a day apart); merge them or make the names distinct'} END,
            CASE WHEN name IS NULL THEN {'column': 'name', 'reason': 'missing'} END,
            CASE WHEN date_precision IS NULL OR date_precision NOT IN ('day', 'month')
                THEN {'column': 'date_precision', 'reason': 'must be day or month'} END,
            CASE WHEN start_date IS NULL THEN {'column': 'start_date', 'reason': 'missing'}
                 WHEN start_on IS NULL AND date_precision IN ('day', 'month')
                     THEN {'column': 'start_date', 'reason': 'unparseable or impossible date for precision ' || date_precision || ': ' || start_date}
                 WHEN start_on < DATE '1990-01-01'
                     THEN {'column': 'start_date', 'reason': 'before 1990'}
                 WHEN start_on > current_date + INTERVAL 366 DAY
                     THEN {'column': 'start_date', 'reason': 'more than a year in the future'} END,
            CASE WHEN end_date IS NOT NULL AND end_on IS NULL AND date_precision IN ('day', 'month')
                     THEN {'column': 'end_date', 'reason': 'unparseable or impossible date for precision ' || date_precision || ': ' || end_date}
                 WHEN end_on < start_on THEN {'column': 'end_date', 'reason': 'end_date before start_date'} END,
            CASE WHEN host IS NULL OR NOT list_contains(hosts, host)
                THEN {'column': 'host', 'reason': 'must be one of ' || array_to_string(hosts, ', ')} END,
            CASE WHEN multilateral IS NULL OR multilateral NOT IN ('true', 'false')
                THEN {'column': 'multilateral', 'reason': 'must be true or false'} END,
            CASE WHEN len(japan_list) = 0 THEN {'column': 'japan_participants', 'reason': 'missing'}
                 WHEN len(list_filter(japan_list, lambda c: NOT list_contains(japan_codes, c))) > 0
                     THEN {'column': 'japan_participants', 'reason': 'unknown code(s): '
                         || array_to_string(list_filter(japan_list, lambda c: NOT list_contains(japan_codes, c)), ', ')} END,
            CASE WHEN len(india_list) = 0 THEN {'column': 'india_participants', 'reason': 'missing'}
                 WHEN len(list_filter(india_list, lambda c: NOT list_contains(india_codes, c))) > 0
                     THEN {'column': 'india_participants', 'reason': 'unknown code(s): '
                         || array_to_string(list_filter(india_list, lambda c: NOT list_contains(india_codes, c)), ', ')} END,
            CASE WHEN source_url IS NULL THEN {'column': 'source_url', 'reason': 'missing'}
                 WHEN NOT regexp_full_match(source_url, 'https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:[0-9]+)?([/?#][^\s<>"]*)?')
                     THEN {'column': 'source_url', 'reason': 'not an https URL'} END,
            CASE WHEN source_title IS NULL THEN {'column': 'source_title', 'reason': 'missing'} END,
            CASE WHEN published_date IS NOT NULL AND published_on IS NULL
                THEN {'column': 'published_date', 'reason': 'not a YYYY-MM-DD date: ' || published_date} END,
            CASE WHEN published_on > current_date + INTERVAL 1 DAY
                THEN {'column': 'published_date', 'reason': 'in the future'} END,
            CASE WHEN retrieved_on IS NULL THEN {'column': 'retrieved_date', 'reason': 'missing or not a YYYY-MM-DD date'}
                 WHEN retrieved_on > current_date + INTERVAL 1 DAY
                     THEN {'column': 'retrieved_date', 'reason': 'in the future'} END,
            CASE WHEN family = 'exercises' AND (exercise_type IS NULL OR NOT list_contains(exercise_types, exercise_type))
                THEN {'column': 'exercise_type', 'reason': 'must be one of ' || array_to_string(exercise_types, ', ')} END,
            CASE WHEN family = 'exercises' AND len(list_filter(domain_list, lambda d: NOT list_contains(domain_values, d))) > 0
                THEN {'column': 'domains', 'reason': 'unknown domain(s): '
                    || array_to_string(list_filter(domain_list, lambda d: NOT list_contains(domain_values, d)), ', ')} END,
            CASE WHEN family = 'port_calls' AND (direction IS NULL OR NOT list_contains(directions, direction))
                THEN {'column': 'direction', 'reason': 'must be one of ' || array_to_string(directions, ', ')} END,
            CASE WHEN family = 'port_calls' AND (service IS NULL OR NOT list_contains(services, service))
                THEN {'column': 'service', 'reason': 'must be one of ' || array_to_string(services, ', ')} END,
            CASE WHEN family = 'rd_projects' AND (stage IS NULL OR NOT list_contains(stages, stage))
                THEN {'column': 'stage', 'reason': 'must be one of ' || array_to_string(stages, ', ')} END,
            CASE WHEN family = 'dialogues' AND (mechanism IS NULL OR NOT list_contains(mechanisms, mechanism))
                THEN {'column': 'mechanism', 'reason': 'must be one of ' || array_to_string(mechanisms, ', ')} END
        ], lambda p: p IS NOT NULL) END AS problems
    FROM ranked
)
SELECT
    family, source_file, line_no, event_id, name,
    start_on AS start_date, coalesce(end_on, start_on) AS end_date, date_precision,
    location, host, multilateral = 'true' AS multilateral,
    japan_list AS japan_participants, india_list AS india_participants, other_participants,
    source_url, source_title, source_title_en, published_on AS published_date, retrieved_on AS retrieved_date, notes,
    exercise_type, domain_list AS domains, vessels, port, direction, service,
    partners, stage, technology_area, mechanism,
    raw_record, problems
FROM checked
