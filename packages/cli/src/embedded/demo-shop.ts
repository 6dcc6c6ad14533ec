/**
 * The embedded PostgreSQL's demo database: a small shop worth querying. Related tables with
 * foreign keys, a view, indexes (one unused, for the health tools to find), comments, and enough
 * rows that results page (2,000 orders, about 5,000 order lines). Every value is derived from
 * the row number, so every start holds the same data and the examples in the README hold.
 */
export const DEMO_SHOP_SQL = `
CREATE SCHEMA shop;
COMMENT ON SCHEMA shop IS 'Demo data of the embedded database: a small online shop (made up, not your data)';

CREATE TABLE shop.customers (
  id         integer PRIMARY KEY,
  name       text NOT NULL,
  email      text NOT NULL UNIQUE,
  country    text NOT NULL,
  created_at timestamptz NOT NULL
);
COMMENT ON TABLE shop.customers IS 'People who ordered at least once';

CREATE TABLE shop.categories (
  id   integer PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE shop.products (
  id          integer PRIMARY KEY,
  category_id integer NOT NULL REFERENCES shop.categories (id),
  name        text NOT NULL,
  price       numeric(10, 2) NOT NULL CHECK (price > 0),
  in_stock    integer NOT NULL DEFAULT 0
);
COMMENT ON COLUMN shop.products.price IS 'Unit price in EUR';

CREATE TABLE shop.orders (
  id          integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES shop.customers (id),
  status      text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
  ordered_at  timestamptz NOT NULL
);

CREATE TABLE shop.order_items (
  order_id   integer NOT NULL REFERENCES shop.orders (id) ON DELETE CASCADE,
  line       integer NOT NULL,
  product_id integer NOT NULL REFERENCES shop.products (id),
  quantity   integer NOT NULL CHECK (quantity > 0),
  unit_price numeric(10, 2) NOT NULL,
  PRIMARY KEY (order_id, line)
);

INSERT INTO shop.categories (id, name) VALUES
  (1, 'Books'), (2, 'Kitchen'), (3, 'Garden'), (4, 'Toys'), (5, 'Electronics'), (6, 'Music');

INSERT INTO shop.products (id, category_id, name, price, in_stock)
SELECT n,
       1 + n % 6,
       (ARRAY['Classic', 'Compact', 'Deluxe', 'Eco', 'Mini', 'Pro', 'Smart', 'Vintage'])[1 + n % 8] || ' ' ||
       (ARRAY['Notebook', 'Kettle', 'Trowel', 'Kite', 'Speaker', 'Vinyl', 'Lamp', 'Puzzle', 'Teapot', 'Planter'])[1 + (n * 7) % 10] ||
       ' ' || n,
       round((3 + (n * 37) % 190 + ((n * 13) % 100) / 100.0)::numeric, 2),
       (n * 17) % 120
FROM generate_series(1, 120) AS n;

INSERT INTO shop.customers (id, name, email, country, created_at)
SELECT n,
       (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus', 'Radia', 'Tim'])[1 + n % 12]
         || ' ' ||
       (ARRAY['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Berners-Lee', 'Kay'])[1 + (n * 5) % 13],
       'customer' || n || '@example.com',
       (ARRAY['DE', 'FR', 'GB', 'US', 'NL', 'SE', 'ES', 'IT', 'JP', 'BR'])[1 + (n * 3) % 10],
       timestamptz '2025-01-01 09:00+00' + (n * 97 % 365) * interval '1 day' + (n % 24) * interval '1 hour'
FROM generate_series(1, 300) AS n;

INSERT INTO shop.orders (id, customer_id, status, ordered_at)
SELECT n,
       1 + (n * 7) % 300,
       CASE WHEN n > 1950 THEN 'pending' WHEN n > 1900 THEN 'paid' WHEN n > 1820 THEN 'shipped'
            WHEN n % 23 = 0 THEN 'cancelled' ELSE 'delivered' END,
       timestamptz '2025-02-01 08:00+00' + n * interval '4 hours' + (n * 31 % 60) * interval '1 minute'
FROM generate_series(1, 2000) AS n;

INSERT INTO shop.order_items (order_id, line, product_id, quantity, unit_price)
SELECT o, l, p, 1 + (o * l) % 4, (SELECT price FROM shop.products WHERE id = p)
FROM generate_series(1, 2000) AS o,
     generate_series(1, 1 + o % 4) AS l,
     LATERAL (SELECT 1 + (o * 11 + l * 29) % 120 AS p) AS pick;

CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE INDEX orders_ordered_at_idx ON shop.orders (ordered_at);
CREATE INDEX order_items_product_idx ON shop.order_items (product_id);
-- Never used by any query of the demo: the health tools' unused-index check has something to find.
CREATE INDEX customers_country_name_idx ON shop.customers (country, name);

CREATE VIEW shop.order_totals AS
SELECT o.id AS order_id, o.customer_id, o.status, o.ordered_at,
       count(*) AS lines, sum(i.quantity) AS items, sum(i.quantity * i.unit_price) AS total
FROM shop.orders o JOIN shop.order_items i ON i.order_id = o.id
GROUP BY o.id;
COMMENT ON VIEW shop.order_totals IS 'One row per order with its number of lines, items and total in EUR';

ANALYZE;
`;

/**
 * The role the demo's sessions run as: it can read everything and see the statistics views, and
 * change nothing, which is what the PostgreSQL connector's doctor asks of a read-only connection.
 * (PGlite ignores the user name a client connects with; the worker sets this role on its one
 * backend before it accepts connections.)
 */
export const DEMO_ROLE = 'demo_reader';
export const DEMO_ROLE_SQL = `
CREATE ROLE ${DEMO_ROLE} NOLOGIN;
GRANT pg_read_all_data TO ${DEMO_ROLE};
GRANT pg_monitor TO ${DEMO_ROLE};
`;
