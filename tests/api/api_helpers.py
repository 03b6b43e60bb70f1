"""Small readers of API answers, shared by the API tests."""


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def numbers(response) -> list[str]:
    return [item["number"] for item in response.json()["items"]]
