-- sqlite.sql: what tests/libc/sqlite.sh runs in Debian's sqlite3 shell,
-- on Toro and on the host: tables, an index, transactions (a journal
-- file made, synced and deleted), a rollback, joins, aggregates, text
-- and number functions, a recursive query, 20,000 rows, VACUUM (a
-- temporary database), and the database's own check.
.headers on
.mode list
PRAGMA journal_mode;
CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT,
  people INTEGER);
CREATE TABLE visit(city INTEGER REFERENCES city(id), day TEXT, n INTEGER);
BEGIN;
INSERT INTO city(name, country, people) VALUES
  ('Barcelona', 'ES', 1620343), ('Madrid', 'ES', 3223334),
  ('Lisboa', 'PT', 544851), ('Porto', 'PT', 231800),
  ('Brussels', 'BE', 1222637), ('Ghent', 'BE', 263927);
COMMIT;
BEGIN;
INSERT INTO city(name, country, people) VALUES ('Nowhere', 'XX', 0);
ROLLBACK;
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 20000)
INSERT INTO visit SELECT 1 + i % 6, date('2026-01-01', '+' || (i % 365) || ' days'),
  (i * 7919) % 1000 FROM k;
CREATE INDEX visit_city ON visit(city, day);
SELECT count(*) FROM city;
SELECT country, count(*), sum(people), printf('%.2f', avg(people))
  FROM city GROUP BY country ORDER BY country;
SELECT c.name, count(*), sum(v.n), min(v.day), max(v.day)
  FROM visit v JOIN city c ON c.id = v.city GROUP BY c.name ORDER BY 3 DESC;
SELECT upper(name), length(name), substr(name, 2, 3), hex(name)
  FROM city WHERE name LIKE '%o%' ORDER BY name;
SELECT day, n FROM visit WHERE city = 3 AND day BETWEEN '2026-03-01'
  AND '2026-03-03' ORDER BY day, n LIMIT 5;
SELECT round(sqrt(2), 6), 1e300 * 10, 7 / 2, 7 / 2.0, abs(-3), typeof(1.5);
UPDATE visit SET n = n + 1 WHERE city = 6;
DELETE FROM visit WHERE n > 990;
SELECT count(*), total(n) FROM visit;
VACUUM;
PRAGMA integrity_check;
