package store

// Sent is final for a message of a business type that asks for no status
// report (BusinessType.ReportRequired false): the operator took every
// segment, and that is all the platform will learn. It counts as sent, not
// as delivered and not as failed; such a type charges on submission.
const Sent State = "sent"
