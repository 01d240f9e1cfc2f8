#pragma once
// Typed errors of the engine. Every message is one line a user can read; the
// CLI maps the type to its exit code and the GUI shows the message.
#include <stdexcept>
#include <string>

namespace gce {

// Base of every error the engine throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The user's files are wrong: unreadable image, bad weights, ... (CLI exit 3)
class InputError : public Error {
public:
    using Error::Error;
};

// An image that cannot be decoded or is unreasonable (missing, empty,
// truncated, undecodable, too large).
class ImageError : public InputError {
public:
    using InputError::InputError;
};

// A checkpoint that cannot be read or does not fit the model.
class CheckpointError : public InputError {
public:
    using InputError::InputError;
};

// The user asked for something that does not exist: unknown model, layer,
// class, colormap. (CLI exit 2)
class UsageError : public Error {
public:
    using Error::Error;
};

// A long explanation stopped because its caller no longer wants it
// (ExplainControl::cancelled, e.g. a newer request in the explorer). Not a
// failure: the caller drops the result. Work already done is kept.
class Cancelled : public Error {
public:
    using Error::Error;
};

} // namespace gce
