"""Chinese for Gradio's own interface texts (upload area, buttons, login page), whatever the browser's
language: a Chinese-language tool should not greet an officer whose browser is set to English with
"Drop File Here" (or a French one with "Déposer le fichier ici"). Gradio picks its built-in texts by the
browser's locale among the languages it ships (LOCALES), and falls back to English for any other; these
override them all (the keys are Gradio's i18n keys)."""

from __future__ import annotations

import gradio as gr

ZH = {
    "upload_text.click_to_upload": "点击选择文件",
    "upload_text.drop_file": "将文件拖放到此处",
    "upload_text.paste_clipboard": "从剪贴板粘贴",
    "common.or": "或",
    "common.clear": "清除",
    "common.download": "下载",
    "common.edit": "编辑",
    "common.empty": "空",
    "common.error": "错误",
    "common.loading": "加载中",
    "common.remove": "移除",
    "common.submit": "提交",
    "common.undo": "撤销",
    "common.settings": "设置",
    "common.language": "语言",
    "common.display_theme": "显示主题",
    "file.uploading": "正在上传…",
    "blocks.lost_connection": "与服务器的连接已断开，正在重新连接…",
    "blocks.waiting_for_inputs": "文件还在上传，请稍候再试。",
    "chatbot.retry": "重试",
    "chatbot.undo": "撤销",
    "chatbot.submit": "发送",
    "chatbot.cancel": "取消",
    "chatbot.clear": "清空对话",
    "chatbot.copy_message": "复制这条消息",
    "chatbot.copied_message": "已复制",
    "dataframe.sort_ascending": "升序排序",
    "dataframe.sort_descending": "降序排序",
    "dataframe.clear_sort": "清除排序",
    "login.login": "登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.incorrect_credentials": "用户名或密码不正确",
}


# the languages Gradio's frontend ships texts for (gradio/templates/frontend: lang/*.json); a browser whose locale
# is none of them gets English, which ZH overrides too
LOCALES = (
    "ar ca ckb de en es et eu fa fi fr he hi id ja ko lt nb nl pl pt pt-BR ro ru sv ta th tr uk ur uz zh-CN zh-TW"
).split()


def chinese_interface() -> gr.I18n:
    return gr.I18n(**{locale: ZH for locale in LOCALES})


def translations() -> dict[str, dict[str, str]]:
    """What the page is given as its texts (Gradio's config "i18n_translations"): ZH under every locale."""
    return chinese_interface().translations_dict
