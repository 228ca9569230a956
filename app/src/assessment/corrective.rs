//! Corrective actions (działania naprawcze).
