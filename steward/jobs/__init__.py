"""The worker: scheduled and queued jobs, stored in the database, retried with back-off."""
