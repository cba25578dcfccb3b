-- Editions of every recurring mechanism of the codebook, recognised in the events by the codebook's
-- values (the event's mechanism, exercise type or stage) or name pattern. Events closer together than
-- half the cadence are one edition (the phases of one exercise). due_on is one cadence after the
-- previous edition; an edition held after due_on plus the grace period was held late.
WITH matched AS (
    SELECT
        m.commitment_id, m.mechanism_id, m.cadence_months, m.grace_days,
        e.event_id, e.name, e.start_date, e.source_url
    FROM codebook_mechanisms AS m
    JOIN events AS e ON e.family = m.register
    WHERE list_contains(
              m.match_values,
              CASE e.family WHEN 'dialogues' THEN e.mechanism WHEN 'exercises' THEN e.exercise_type
                            WHEN 'rd_projects' THEN e.stage WHEN 'port_calls' THEN e.service END)
       OR (m.name_pattern IS NOT NULL AND regexp_matches(e.name, m.name_pattern))
),
marked AS (
    SELECT
        *,
        CASE WHEN lag(start_date) OVER w IS NULL
                  OR start_date - lag(start_date) OVER w > cadence_months * 30.4 / 2 THEN 1 ELSE 0
        END AS starts_edition
    FROM matched
    WINDOW w AS (PARTITION BY commitment_id, mechanism_id ORDER BY start_date, event_id)
),
numbered AS (
    SELECT
        *,
        sum(starts_edition) OVER (
            PARTITION BY commitment_id, mechanism_id ORDER BY start_date, event_id
            ROWS UNBOUNDED PRECEDING) AS edition
    FROM marked
),
editions AS (
    SELECT
        commitment_id, mechanism_id, edition,
        min(start_date) AS held_on,
        arg_min(name, start_date) AS name,
        arg_min(source_url, start_date) AS source_url,
        list(event_id ORDER BY start_date, event_id) AS event_ids,
        any_value(cadence_months) AS cadence_months,
        any_value(grace_days) AS grace_days
    FROM numbered
    GROUP BY commitment_id, mechanism_id, edition
)
SELECT
    commitment_id, mechanism_id, CAST(edition AS INTEGER) AS edition, held_on, name, source_url,
    event_ids,
    CAST(lag(held_on) OVER w + to_months(cadence_months) AS DATE) AS due_on,
    coalesce(held_on > CAST(lag(held_on) OVER w + to_months(cadence_months)
                            + to_days(grace_days) AS DATE), false) AS held_late
FROM editions
WINDOW w AS (PARTITION BY commitment_id, mechanism_id ORDER BY held_on)
ORDER BY commitment_id, mechanism_id, held_on
