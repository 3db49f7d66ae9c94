"""Messages to people: mail transport, the deliveries log, message builders."""
