//! `followup-mail`: what a mail message means to a job search, and where messages come from.
//!
//! - [`message`] reads a message's header (and, for an auto-reply, the start of its text)
//!   into [`message::Headers`]: addresses, Message-ID, threading, subject, and whether it is an
//!   auto-reply or a bounce. Nothing else of a message is kept.
//! - [`source`] is the contract a mailbox is read through ([`source::MailSource`]): a folder's
//!   UIDVALIDITY and the messages after a UID, so a sync can checkpoint and resume.
//!
//! What this crate is not: it decides nothing about contacts, touches or follow-ups (the app
//! does, from [`message::Headers`]), and it keeps no state (the checkpoint is the app's, in the
//! same transaction as the touches a sync logs).

pub mod imap;
pub mod message;
pub mod smtp;
pub mod source;
pub mod testing;
