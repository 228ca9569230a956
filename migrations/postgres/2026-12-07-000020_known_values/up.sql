-- Values are now read as closed sets (enums): an agreement written by an
-- earlier build's demonstration data said its financing was 'support',
-- which no form ever accepted. It is full financing.
UPDATE agreements SET financing = 'full_financing'
 WHERE financing NOT IN ('co_financing', 'full_financing');
