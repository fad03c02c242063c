//! The one test binary of followup-mail.
