-- Up Migration
-- Alerts as monitoring received them (AlertRaised events: inference's low-confidence alerts,
-- monitoring's own policy breaches), with the state of their webhook delivery. The id is the
-- event's alert_id, so an alert re-announced under another event id is still stored once.
CREATE TABLE monitoring.alerts (
  id              uuid PRIMARY KEY,
  event_id        uuid NOT NULL,
  kind            text NOT NULL,
  severity        text NOT NULL,
  model_name      text NOT NULL,
  model_version   text,
  prediction_id   uuid,
  message         text NOT NULL,
  raised_at       timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  -- 'disabled': no webhook was configured when the alert arrived; it is listed, never sent.
  delivery_status text NOT NULL CHECK (delivery_status IN ('pending', 'delivered', 'failed', 'disabled')),
  -- Webhook calls made so far; the claim increments it, so it doubles as a fencing token.
  attempts        integer NOT NULL DEFAULT 0,
  -- When a pending alert is due; while a worker holds it, the end of that worker's lease.
  next_attempt_at timestamptz,
  last_error      text,
  delivered_at    timestamptz
);
-- The delivery queue: only pending rows, in due order.
CREATE INDEX alerts_delivery_due ON monitoring.alerts (next_attempt_at) WHERE delivery_status = 'pending';
-- GET /v1/alerts: newest first, optionally for one model.
CREATE INDEX alerts_raised ON monitoring.alerts (raised_at DESC, id DESC);
CREATE INDEX alerts_model_raised ON monitoring.alerts (model_name, raised_at DESC);

-- Down Migration
DROP TABLE monitoring.alerts;
