from tests.conftest import Chat


async def test_register_and_first_question(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    text = await chat.open_report("mini")
    assert "Diện tích tự nhiên" in text
