"""Data-subject rights: intake, verification, deadlines and fulfilment driven by the data map."""
