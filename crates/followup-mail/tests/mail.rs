//! The one test binary of followup-mail.

mod imap;
mod message;
mod smtp;
