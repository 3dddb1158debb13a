# English message catalogue: every text a person reads, one to one with zh-CN.ftl (same keys, same arguments).
# Keys and argument names are machine codes and never translated; { $name } is an argument. Change both files.

## Titles of problem details (RFC 9457), by HTTP status

problem-400 = Bad Request
problem-401 = Unauthorized
problem-403 = Forbidden
problem-404 = Not Found
problem-405 = Method Not Allowed
problem-408 = Request Timeout
problem-409 = Conflict
problem-410 = Gone
problem-413 = Payload Too Large
problem-415 = Unsupported Media Type
problem-422 = Unprocessable Entity
problem-429 = Too Many Requests
problem-431 = Request Header Fields Too Large
problem-500 = Internal Server Error
problem-503 = Service Unavailable
problem-507 = Insufficient Storage
problem-other = Error

## Common problem details

problem-validation = request validation failed
problem-internal = an internal error occurred; it has been logged
problem-method-not-allowed = this method is not allowed on this resource
problem-timeout = the request took too long and was abandoned
problem-body-too-large = request body exceeds the 1 MiB limit
problem-no-such-resource = no such resource
problem-no-such-route = no such route
problem-head-too-large = a request may carry at most { $headers } headers and { $kib } KiB of them
problem-db-unavailable = the database is unavailable; retry shortly
problem-db-full = the database has no space left; nothing of this request was written
