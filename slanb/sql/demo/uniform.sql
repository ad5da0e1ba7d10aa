-- demo_u(key, salt): a pseudo-random number in (0, 1), the same for the same key and salt.
-- The demo history's only source of randomness: each lead's key is hash(lead number, seed), and
-- each draw about it is salted with its purpose, so draws are independent and reproducible.
-- Created in the in-memory database slanb.demo generates in, never in a history file.
create or replace macro demo_u(key, salt) as
    ((hash(key, hash(salt)) % 1000003) + 0.5) / 1000003.0
